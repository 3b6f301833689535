package dev.kelp.agent.s3;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

class S3RequestTest {

    private static S3Request of(String uri, String host) {
        var http = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
        http.headers().set("Host", host);
        return S3Request.of(http, "localhost", "ID");
    }

    @Test
    void pathStyleNamesTheBucketInTheFirstSegment() {
        var r = of("/photos/2025/a%20b+c.jpg?list-type=2&prefix=a+b%2Bc", "127.0.0.1:8781");
        assertThat(r.bucket()).isEqualTo("photos");
        assertThat(r.key()).isEqualTo("2025/a b+c.jpg");
        assertThat(r.param("list-type")).isEqualTo("2");
        assertThat(r.param("prefix")).isEqualTo("a b+c");
        assertThat(of("/photos", "127.0.0.1:8781").key()).isNull();
        assertThat(of("/photos/", "127.0.0.1:8781").key()).isNull();
        assertThat(of("/", "127.0.0.1:8781").bucket()).isNull();
    }

    @Test
    void virtualHostStyleNamesTheBucketInTheHost() {
        var r = of("/2025/a.jpg?uploads", "photos.localhost:8781");
        assertThat(r.bucket()).isEqualTo("photos");
        assertThat(r.key()).isEqualTo("2025/a.jpg");
        assertThat(r.has("uploads")).isTrue();
        assertThat(r.param("uploads")).isEmpty();
        assertThat(of("/", "photos.localhost").key()).isNull();
        assertThat(of("/x", "localhost:8781").bucket()).isEqualTo("x");
    }

    @Test
    void bucketsMayBeCalledHealthOrMetrics() {
        assertThat(of("/health", "127.0.0.1:8781").bucket()).isEqualTo("health");
        assertThat(of("/metrics/prometheus", "127.0.0.1:8781").key()).isEqualTo("prometheus");
        assertThat(of("/readiness", "health.localhost:8781").bucket()).isEqualTo("health");
    }
}
