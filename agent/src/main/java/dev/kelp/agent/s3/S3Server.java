package dev.kelp.agent.s3;

import dev.kelp.agent.stream.DirectChunks;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Value;
import io.micronaut.runtime.graceful.GracefulShutdownCapable;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import jakarta.annotation.PreDestroy;
import java.net.InetSocketAddress;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The S3 endpoint's own listener: a Netty server of its own, because Micronaut's router shares
 * every route across its listeners (a listener can only hide all of them), while S3 routes by
 * Host header and query parameters and lets a bucket be called {@code health} or
 * {@code metrics}. HttpServerCodec without aggregation: bodies stream both ways. Engine calls
 * block, so they run on worker threads, never on the event loop. Starts with the application
 * context; on shutdown it stops accepting, lets requests in flight finish (up to
 * {@code kelp.s3.shutdown-grace}), then closes.
 */
@Context
@Requires(property = "kelp.s3.enabled", notEquals = "false")
@Requires(condition = S3Server.Servable.class)
public class S3Server implements GracefulShutdownCapable {

    private static final Logger LOG = LoggerFactory.getLogger(S3Server.class);

    private final S3Config config;
    private final String host;
    private final Workers workers;
    private final EventLoopGroup boss;
    private final EventLoopGroup io;
    private final ChannelGroup connections = new DefaultChannelGroup("kelp-s3", GlobalEventExecutor.INSTANCE);
    private Channel listener;
    private volatile boolean stopping;

    S3Server(S3Config config, S3Dispatcher dispatcher, DirectChunks chunks, @Value("${micronaut.server.host:127.0.0.1}") String apiHost) {
        this.config = config;
        this.host = config.host() == null || config.host().isBlank() ? apiHost : config.host();
        this.workers = new Workers(config.workerThreads());
        if (!config.signed() && !isLoopback(host)) {
            throw new IllegalStateException("kelp.s3.auth: none accepts unsigned requests, so the S3 endpoint must listen on loopback only,"
                + " not on " + host + " (kelp.s3.host)");
        }
        this.boss = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("kelp-s3-accept"), NioIoHandler.newFactory());
        this.io = new MultiThreadIoEventLoopGroup(2, new DefaultThreadFactory("kelp-s3-io"), NioIoHandler.newFactory());
        var bootstrap = new ServerBootstrap()
            .group(boss, io)
            .channel(NioServerSocketChannel.class)
            .childOption(ChannelOption.AUTO_READ, false)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 * 1024, 1024 * 1024))
            .childHandler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                    connections.add(ch);
                    ch.pipeline()
                        // Keep-alive connections nobody uses any more are closed after 10 minutes.
                        .addLast(new IdleStateHandler(0, 0, 600, TimeUnit.SECONDS) {
                            @Override
                            protected void channelIdle(io.netty.channel.ChannelHandlerContext ctx, io.netty.handler.timeout.IdleStateEvent evt) {
                                ctx.close();
                            }
                        })
                        .addLast(new HttpServerCodec(8192, 64 * 1024, 64 * 1024))
                        .addLast(new S3ChannelHandler(workers, dispatcher, chunks));
                }
            });
        try {
            listener = bootstrap.bind(host, config.port()).sync().channel();
        } catch (Exception e) {
            boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            io.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new IllegalStateException("cannot listen for S3 requests on " + host + ":" + config.port() + " (kelp.s3.host / kelp.s3.port): " + e, e);
        }
        LOG.info("S3 endpoint listening on http://{}:{} (auth: {}, virtual hosts: <bucket>.{})", host, port(), config.auth(), config.baseDomain());
    }

    /**
     * Whether there is something to serve with: {@code kelp.s3.auth: none}, both halves of
     * the key pair, or a principals file. Decided from the properties alone, so that a context without them (every
     * test context, agents rendered before the endpoint existed) neither listens nor builds the
     * engine eagerly for it.
     */
    public static final class Servable implements io.micronaut.context.condition.Condition {
        @Override
        public boolean matches(io.micronaut.context.condition.ConditionContext context) {
            if (!(context.getBeanContext() instanceof io.micronaut.core.value.PropertyResolver properties)) {
                return false;
            }
            String auth = properties.getProperty("kelp.s3.auth", String.class).orElse("sigv4").strip();
            if (auth.equalsIgnoreCase("none")) {
                return true;
            }
            // Keys come from the legacy pair or the principals file (docs/access-control.md).
            boolean servable = properties.getProperty("kelp.s3.access-key-id", String.class).filter(v -> !v.isBlank()).isPresent()
                && properties.getProperty("kelp.s3.secret-access-key", String.class).filter(v -> !v.isBlank()).isPresent()
                || properties.getProperty("kelp.access.principals-file", String.class).filter(v -> !v.isBlank()).isPresent();
            if (!servable) {
                context.fail("kelp.s3.auth is sigv4 but kelp.s3.access-key-id / kelp.s3.secret-access-key are not both set");
            }
            return servable;
        }
    }

    /** Says, once at startup, why the S3 endpoint is not listening although it is enabled. */
    @Context
    @Requires(property = "kelp.s3.enabled", notEquals = "false")
    @Requires(missingBeans = S3Server.class)
    static final class NotServing {
        NotServing() {
            // Not a crash: agents rendered before the S3 door existed have no key pair yet.
            LOG.warn("S3 endpoint not started: kelp.s3.auth is sigv4 but kelp.s3.access-key-id / kelp.s3.secret-access-key"
                + " (KELP_S3_ACCESS_KEY_ID / KELP_S3_SECRET_ACCESS_KEY) are not set (docs/s3.md)");
        }
    }

    private static boolean isLoopback(String host) {
        try {
            return java.net.InetAddress.getByName(host).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    /** The port bound (useful with {@code kelp.s3.port: 0}). */
    public int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    public String host() {
        return host;
    }

    @Override
    public CompletionStage<?> shutdownGracefully() {
        stopAccepting();
        return CompletableFuture.runAsync(() -> workers.awaitIdle(config.shutdownGrace().toMillis()));
    }

    @Override
    public OptionalLong reportActiveTasks() {
        return OptionalLong.of(workers.active());
    }

    @PreDestroy
    void stop() {
        stopAccepting();
        workers.awaitIdle(config.shutdownGrace().toMillis());
        connections.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        workers.shutdown();
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        io.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    }

    private synchronized void stopAccepting() {
        if (!stopping) {
            stopping = true;
            listener.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
            LOG.info("S3 endpoint stopped accepting; {} requests in flight finish first", workers.active());
        }
    }

    /** Worker threads with a count of the requests in flight, which shutdown waits on. */
    static final class Workers {
        private final ThreadPoolExecutor pool;
        private final AtomicInteger active = new AtomicInteger();

        Workers(int threads) {
            // No queue: a request either gets a thread now or a 503 SlowDown, never a silent wait.
            pool = new ThreadPoolExecutor(0, threads, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), new DefaultThreadFactory("kelp-s3-worker", true));
        }

        void submit(Runnable task) {
            active.incrementAndGet();
            try {
                pool.execute(() -> {
                    try {
                        task.run();
                    } finally {
                        synchronized (active) {
                            active.decrementAndGet();
                            active.notifyAll();
                        }
                    }
                });
            } catch (RuntimeException e) {
                active.decrementAndGet();
                throw e;
            }
        }

        /** For the refusal of a request the pool had no thread for: a thread of its own, short-lived. */
        void submitUncounted(Runnable task) {
            Thread.ofVirtual().name("kelp-s3-refusal").start(task);
        }

        int active() {
            return active.get();
        }

        void awaitIdle(long millis) {
            long deadline = System.currentTimeMillis() + millis;
            synchronized (active) {
                while (active.get() > 0 && System.currentTimeMillis() < deadline) {
                    try {
                        active.wait(Math.max(1, Math.min(200, deadline - System.currentTimeMillis())));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }

        void shutdown() {
            pool.shutdownNow();
        }
    }
}
