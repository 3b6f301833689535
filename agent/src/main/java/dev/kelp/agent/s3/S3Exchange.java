package dev.kelp.agent.s3;

import dev.kelp.agent.stream.DirectChunks;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.IOException;
import java.io.InputStream;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.function.Consumer;

/**
 * One request and its response, as the worker thread that serves it sees them: the head, the
 * body as a blocking stream, and a response written with back-pressure (the worker waits while
 * the channel's outbound buffer is above its high-water mark, so a slow reader of a 1 GiB
 * object holds one buffer, not the object).
 */
final class S3Exchange {

    /** An error answered before the body was read: drain this much of it to keep the connection, close beyond. */
    private static final long DRAIN_LIMIT = 16L * 1024 * 1024;
    private final Channel channel;
    private final HttpRequest head;
    private final RequestBody body;
    private final String requestId;
    private final DirectChunks chunks;
    private final Consumer<Boolean> onDone;
    private final boolean expectsContinue;
    private final Object writable = new Object();
    private volatile boolean continueSent;
    private volatile boolean responded;

    S3Exchange(Channel channel, HttpRequest head, String requestId, DirectChunks chunks, RequestBody.Factory bodies,
               Consumer<Boolean> onDone) {
        this.channel = channel;
        this.head = head;
        this.requestId = requestId;
        this.chunks = chunks;
        this.onDone = onDone;
        this.expectsContinue = HttpUtil.is100ContinueExpected(head);
        this.body = bodies.create(this::sendContinue);
    }

    HttpRequest head() {
        return head;
    }

    RequestBody body() {
        return body;
    }

    String requestId() {
        return requestId;
    }

    boolean responded() {
        return responded;
    }

    private void sendContinue() {
        if (expectsContinue && !continueSent && !responded) {
            continueSent = true;
            channel.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER));
        }
    }

    /** Called by the event loop when the channel's writability changes. */
    void writabilityChanged() {
        synchronized (writable) {
            writable.notifyAll();
        }
    }

    /** Sends {@code response}; a streamed body is copied here, on the calling worker thread. */
    void send(S3Response response) throws IOException {
        if (responded) {
            throw new IllegalStateException("already answered");
        }
        responded = true;
        boolean close = !HttpUtil.isKeepAlive(head) || !readyForNextRequest();
        var http = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(response.status));
        http.headers().set(response.headers);
        http.headers().set("x-amz-request-id", requestId);
        http.headers().set("x-amz-id-2", requestId);
        http.headers().set(HttpHeaderNames.DATE, DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC)));
        http.headers().set(HttpHeaderNames.SERVER, "Kelp");
        boolean noBody = response.status == 304 || response.status == 204;
        if (!noBody) {
            http.headers().set(HttpHeaderNames.CONTENT_LENGTH, response.length);
        }
        if (close) {
            http.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (head.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
            http.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        ChannelFuture last;
        if (response.stream != null && !response.headOnly && !noBody) {
            channel.write(http);
            try (InputStream in = response.stream) {
                long left = response.length;
                byte[] scratch = DirectChunks.scratchFor(left);
                while (left > 0) {
                    awaitWritable();
                    ByteBuf piece = chunks.next(in, scratch, (int) Math.min(scratch.length, left));
                    if (piece == null) {
                        throw new IOException("the object's content ended " + left + " bytes early");
                    }
                    left -= piece.readableBytes();
                    channel.writeAndFlush(new DefaultHttpContent(piece));
                }
            } catch (IOException | RuntimeException e) {
                // The status line is out: the only honest thing left is to cut the connection,
                // so the client sees a short body rather than a complete-looking wrong one.
                channel.close();
                onDone.accept(true);
                throw e;
            }
            last = channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        } else if (response.headOnly || noBody || response.body == null || response.body.length == 0) {
            channel.write(http);
            last = channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        } else {
            channel.write(http);
            last = channel.writeAndFlush(new DefaultLastHttpContent(Unpooled.wrappedBuffer(response.body)));
        }
        last.addListener(f -> onDone.accept(close || !f.isSuccess()));
        // Counted as in flight until the last byte is out, so a graceful shutdown never cuts it.
        last.awaitUninterruptibly();
    }

    /**
     * Whether the connection can carry another request once this one is answered: only when its
     * body has been read to the end. A client waiting for 100 Continue never sent its body, so
     * the connection closes; one that sent it has it drained, up to {@link #DRAIN_LIMIT}.
     */
    private boolean readyForNextRequest() {
        if (expectsContinue && !continueSent && !body.isEnded()) {
            return false;
        }
        return body.skipToEnd(DRAIN_LIMIT);
    }

    private void awaitWritable() throws IOException {
        synchronized (writable) {
            while (!channel.isWritable()) {
                if (!channel.isActive()) {
                    throw new IOException("the client closed the connection");
                }
                try {
                    writable.wait(1000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while sending a response", e);
                }
            }
        }
        if (!channel.isActive()) {
            throw new IOException("the client closed the connection");
        }
    }
}
