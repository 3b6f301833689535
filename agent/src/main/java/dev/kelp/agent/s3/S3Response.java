package dev.kelp.agent.s3;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.io.InputStream;

/** What an S3 operation answers: a status, headers, and a small body, a streamed one, or none. */
final class S3Response {

    final int status;
    final HttpHeaders headers = new DefaultHttpHeaders();
    byte[] body;
    InputStream stream;
    /** Content-Length to announce: the body's, the stream's, or for HEAD the object's. */
    long length;
    boolean headOnly;

    private S3Response(int status) {
        this.status = status;
    }

    static S3Response status(int status) {
        var r = new S3Response(status);
        r.body = new byte[0];
        return r;
    }

    static S3Response xml(int status, byte[] xml) {
        var r = new S3Response(status);
        r.body = xml;
        r.length = xml.length;
        r.headers.set("Content-Type", "application/xml");
        return r;
    }

    static S3Response ok(Xml.Writer xml) {
        return xml(200, xml.toBytes());
    }

    static S3Response stream(int status, InputStream stream, long length) {
        var r = new S3Response(status);
        r.stream = stream;
        r.length = length;
        return r;
    }

    /** Headers only; {@code length} is the Content-Length a GET would have (HEAD). */
    static S3Response head(int status, long length) {
        var r = new S3Response(status);
        r.headOnly = true;
        r.length = length;
        return r;
    }

    S3Response header(String name, Object value) {
        if (value != null) {
            headers.set(name, value);
        }
        return this;
    }
}
