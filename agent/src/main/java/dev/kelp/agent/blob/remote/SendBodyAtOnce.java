package dev.kelp.agent.blob.remote;

import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpRequest;

/**
 * The HTTP client to SeaweedFS, less the {@code Expect: 100-continue} the S3 client puts on
 * every PutObject and UploadPart with a body. The handshake lets AWS turn a request away (a
 * redirect, a refused signature) before its body is sent, at the price of a round trip on
 * every upload: headers, a wait for SeaweedFS's 100, then the body. SeaweedFS is the agent's
 * own store, whose credentials the probe checks anyway; a refused upload is rare and costs its
 * body sent once. Taken off here, as the request goes out, because the S3 client adds it after
 * every interceptor a client can register; the Apache client, which would add its own, is
 * built with {@code expectContinueEnabled(false)}. SendBodyAtOnceTest checks the wire.
 */
final class SendBodyAtOnce implements SdkHttpClient {

    static final String EXPECT = "Expect";

    private final SdkHttpClient http;

    SendBodyAtOnce(SdkHttpClient http) {
        this.http = http;
    }

    @Override
    public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
        SdkHttpRequest headers = request.httpRequest();
        if (headers.firstMatchingHeader(EXPECT).isEmpty()) {
            return http.prepareRequest(request);
        }
        var without = HttpExecuteRequest.builder().request(headers.toBuilder().removeHeader(EXPECT).build());
        request.contentStreamProvider().ifPresent(without::contentStreamProvider);
        request.metricCollector().ifPresent(without::metricCollector);
        return http.prepareRequest(without.build());
    }

    @Override
    public String clientName() {
        return http.clientName();
    }

    @Override
    public void close() {
        http.close();
    }
}
