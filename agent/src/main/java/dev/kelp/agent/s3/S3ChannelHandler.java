package dev.kelp.agent.s3;

import dev.kelp.agent.stream.DirectChunks;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection of the S3 endpoint, on its event loop. Auto-read is off: the socket is read
 * while no request is in flight (to get the next head) or while the current body's buffer is
 * below its high-water mark, and each request is served on a worker thread, one at a time per
 * connection (no pipelining: the next head is read once the response is out).
 */
final class S3ChannelHandler extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(S3ChannelHandler.class);

    private final S3Server.Workers workers;
    private final S3Dispatcher dispatcher;
    private final DirectChunks chunks;
    private RequestBody body;
    private S3Exchange exchange;

    S3ChannelHandler(S3Server.Workers workers, S3Dispatcher dispatcher, DirectChunks chunks) {
        this.workers = workers;
        this.dispatcher = dispatcher;
        this.chunks = chunks;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request) {
            if (exchange != null) {
                // A pipelined request: not read until the current one is answered, so this is a
                // client that does not wait; give up on the connection rather than guess.
                ReferenceCountUtil.release(msg);
                ctx.close();
                return;
            }
            if (request.decoderResult().isFailure()) {
                ReferenceCountUtil.release(msg);
                var bad = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.BAD_REQUEST, Unpooled.EMPTY_BUFFER);
                bad.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0).set(HttpHeaderNames.CONNECTION, "close");
                ctx.writeAndFlush(bad).addListener(ChannelFutureListener.CLOSE);
                return;
            }
            var requestBody = new java.util.concurrent.atomic.AtomicReference<RequestBody>();
            var current = new S3Exchange(ctx.channel(), request, S3Dispatcher.newRequestId(), chunks, onFirstRead -> {
                var b = new RequestBody(() -> ctx.channel().eventLoop().execute(() -> readMore(ctx, requestBody.get())), onFirstRead);
                requestBody.set(b);
                return b;
            }, close -> ctx.channel().eventLoop().execute(() -> done(ctx, close)));
            exchange = current;
            body = current.body();
            try {
                workers.submit(() -> dispatcher.serve(current));
            } catch (RejectedExecutionException e) {
                workers.submitUncounted(() -> dispatcher.refuse(current, new S3Exception(503, "SlowDown",
                    "the agent is serving as many S3 requests as it allows (kelp.s3.worker-threads); retry shortly")));
            }
        }
        if (msg instanceof HttpContent content) {
            if (body != null) {
                body.offer(content.content());
                if (msg instanceof LastHttpContent) {
                    body.end();
                }
            } else {
                content.release();
            }
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (exchange == null || (body != null && body.wantsMore())) {
            ctx.read();
        }
    }

    private void readMore(ChannelHandlerContext ctx, RequestBody of) {
        if (of != null && of == body && of.wantsMore()) {
            ctx.read();
        }
    }

    private void done(ChannelHandlerContext ctx, boolean close) {
        if (body != null) {
            body.discard();
        }
        body = null;
        exchange = null;
        if (close) {
            ctx.close();
        } else {
            ctx.read();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (exchange != null) {
            exchange.writabilityChanged();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (body != null) {
            body.broken();
        }
        if (exchange != null) {
            exchange.writabilityChanged();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("S3 connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
