package dev.kelp.agent.http;

import dev.kelp.agent.object.KelpException;
import dev.kelp.agent.stream.DirectChunks;
import io.micronaut.buffer.netty.NettyReadBufferFactory;
import io.micronaut.core.io.buffer.ReadBuffer;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.ServerHttpRequest;
import io.micronaut.http.body.CloseableByteBody;
import io.micronaut.scheduling.TaskExecutors;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.OptionalLong;
import java.util.concurrent.ExecutorService;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * An object's content as a response body of known length, read in large pieces.
 *
 * <p>Why not {@code StreamedFile}: Micronaut pumps an {@code InputStream} body through the
 * event loop 8 KiB at a time, one hop per piece, which held object reads to a fifth of what
 * SeaweedFS serves directly. Here each piece is a recycled {@link DirectChunks} buffer, read on
 * the blocking pool a few pieces ahead of the connection ({@value #READ_AHEAD}), so reading
 * from SeaweedFS and writing to the client overlap instead of taking turns; and the length
 * stays known, so the response keeps its Content-Length instead of turning chunked.
 */
@Singleton
final class ContentBody {

    /** Pieces read ahead of what the connection has asked for. */
    static final int READ_AHEAD = 4;
    /** Bodies up to this many bytes are read whole before the response starts. */
    static final int SMALL = 64 * 1024;

    private final Scheduler blocking;
    private final DirectChunks chunks;
    private final NettyReadBufferFactory buffers = NettyReadBufferFactory.of(UnpooledByteBufAllocator.DEFAULT);

    ContentBody(@Named(TaskExecutors.BLOCKING) ExecutorService blocking, DirectChunks chunks) {
        this.blocking = Schedulers.fromExecutorService(blocking);
        this.chunks = chunks;
    }

    CloseableByteBody of(HttpRequest<?> request, InputStream content, long length) {
        if (!(request instanceof ServerHttpRequest<?> server)) {
            throw new IllegalStateException("a response body needs the server's request, got " + request.getClass());
        }
        if (length <= SMALL) {
            // Read here, on the request's own blocking thread: a small body is not worth a second
            // thread and a stream; the hops would cost more than the bytes.
            try (content) {
                byte[] bytes = content.readNBytes((int) length);
                if (bytes.length < length) {
                    throw new IOException("the object's content ended " + (length - bytes.length) + " bytes early");
                }
                return server.byteBodyFactory().adapt(bytes);
            } catch (IOException e) {
                // A failure the store already put in the API's terms (503 when SeaweedFS cut the
                // read and cannot be reached to finish it, 500 BlobCorrupt) is answered as such.
                if (e.getCause() instanceof KelpException answer) {
                    throw answer;
                }
                throw new UncheckedIOException(e);
            }
        }
        byte[] scratch = DirectChunks.scratchFor(length);
        Flux<ReadBuffer> pieces = Flux.<ReadBuffer, InputStream>generate(() -> content, (in, sink) -> {
            try {
                ByteBuf piece = chunks.next(in, scratch, scratch.length);
                if (piece == null) {
                    sink.complete();
                } else {
                    sink.next(buffers.adapt(piece));
                }
            } catch (IOException e) {
                sink.error(new UncheckedIOException(e));
            }
            return in;
        }, ContentBody::closeQuietly).subscribeOn(blocking).limitRate(READ_AHEAD);
        return server.byteBodyFactory().adapt(pieces, OptionalLong.of(length));
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // the response is over either way
        }
    }
}
