package dev.kelp.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.Map;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;

/**
 * One side of the comparison. Both sides send their requests through the same SDK HTTP
 * client (the Apache client aws-sdk-java-v2 uses); they differ only in the URL and headers a
 * request carries: a presigned SeaweedFS URL, or the agent's own.
 */
abstract class Target {

    private final SdkHttpClient http;

    Target(SdkHttpClient http) {
        this.http = http;
    }

    abstract String name();

    abstract Request put(String key, long size);

    abstract Request get(String key);

    record Request(URI uri, Map<String, String> headers) {
    }

    void executePut(String key, long size, long seed) throws IOException {
        Request r = put(key, size);
        var builder = SdkHttpFullRequest.builder().uri(r.uri()).method(SdkHttpMethod.PUT)
            .putHeader("Content-Length", Long.toString(size)).putHeader("Content-Type", "application/octet-stream");
        r.headers().forEach(builder::putHeader);
        var body = new UniqueBody(size, seed);
        expectOk(http.prepareRequest(HttpExecuteRequest.builder().request(builder.build()).contentStreamProvider(body).build()).call(),
            "PUT " + key);
    }

    long executeGet(String key) throws IOException {
        Request r = get(key);
        var builder = SdkHttpFullRequest.builder().uri(r.uri()).method(SdkHttpMethod.GET);
        r.headers().forEach(builder::putHeader);
        HttpExecuteResponse response = http.prepareRequest(HttpExecuteRequest.builder().request(builder.build()).build()).call();
        long read = 0;
        try (InputStream in = response.responseBody().orElseThrow(() -> new IOException("GET " + key + ": no body"))) {
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                read += n;
            }
        }
        if (!response.httpResponse().isSuccessful()) {
            throw new IOException("GET " + key + ": HTTP " + response.httpResponse().statusCode());
        }
        return read;
    }

    /** A HEAD of what {@link #get} names; only for the agent (a presigned GET URL does not sign a HEAD). */
    void executeHead(String key) throws IOException {
        Request r = get(key);
        var builder = SdkHttpFullRequest.builder().uri(r.uri()).method(SdkHttpMethod.HEAD);
        r.headers().forEach(builder::putHeader);
        expectOk(http.prepareRequest(HttpExecuteRequest.builder().request(builder.build()).build()).call(), "HEAD " + key);
    }

    private static void expectOk(HttpExecuteResponse response, String what) throws IOException {
        if (response.responseBody().isPresent()) {
            try (InputStream in = response.responseBody().get()) {
                in.transferTo(OutputStreamSink.INSTANCE);
            }
        }
        if (!response.httpResponse().isSuccessful()) {
            throw new IOException(what + ": HTTP " + response.httpResponse().statusCode());
        }
    }

    /** Discards what it is given. */
    static final class OutputStreamSink extends java.io.OutputStream {
        static final OutputStreamSink INSTANCE = new OutputStreamSink();

        @Override
        public void write(int b) {
        }

        @Override
        public void write(byte[] b, int off, int len) {
        }
    }
}
