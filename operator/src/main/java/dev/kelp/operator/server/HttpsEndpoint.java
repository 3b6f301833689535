package dev.kelp.operator.server;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's HTTPS listener: the API server calls the injection webhook here, and agents
 * post their reports here. Handlers are mounted by path. The JDK's server is enough for a few
 * small JSON requests per pod and adds no dependency; TLS 1.2+ only.
 */
public final class HttpsEndpoint implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HttpsEndpoint.class);

    private final HttpsServer server;
    private final ReloadingKeyManager keys;
    private final ThreadPoolExecutor executor;

    /**
     * @param address  where to listen; port 0 picks a free one
     * @param bundle   the first serving certificate; {@link #useCertificate} swaps it later
     * @param settings pool size and timeouts
     */
    public HttpsEndpoint(InetSocketAddress address, CertificateBundle bundle, Settings settings) {
        applyTimeouts(settings);
        this.keys = new ReloadingKeyManager(bundle);
        try {
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(new KeyManager[] {keys}, null, null);
            server = HttpsServer.create(address, settings.backlog());
            server.setHttpsConfigurator(new HttpsConfigurator(tls) {
                @Override
                public void configure(HttpsParameters params) {
                    var ssl = tls.getDefaultSSLParameters();
                    ssl.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
                    params.setSSLParameters(ssl);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + address, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no TLS in this JDK", e);
        }
        // A bounded queue: when the operator is swamped a request is refused at once, and the
        // API server applies the webhook's failure policy, rather than waiting past its timeout.
        var threads = new AtomicInteger();
        executor = new ThreadPoolExecutor(settings.threads(), settings.threads(), 60, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(settings.queue()),
            r -> {
                var t = new Thread(r, "kelp-https-" + threads.incrementAndGet());
                t.setDaemon(true);
                return t;
            },
            new ThreadPoolExecutor.AbortPolicy());
        server.setExecutor(executor);
    }

    /** Serves {@code path} (and below it) with the handler; mount before {@link #start()}. */
    public HttpsEndpoint mount(String path, HttpHandler handler) {
        server.createContext(path, handler);
        return this;
    }

    public HttpsEndpoint start() {
        server.start();
        LOG.info("HTTPS endpoint listening on {}", server.getAddress());
        return this;
    }

    /** The port actually bound, useful when started on port 0. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** Serves this certificate from the next TLS handshake on. */
    public void useCertificate(CertificateBundle bundle) {
        keys.use(bundle);
        LOG.info("HTTPS endpoint now serves {}", bundle);
    }

    @Override
    public void close() {
        server.stop(1);
        executor.shutdownNow();
    }

    // The JDK server reads its timeouts from system properties once per JVM; set them unless
    // someone chose otherwise on the command line.
    private static void applyTimeouts(Settings settings) {
        setIfAbsent("sun.net.httpserver.maxReqTime", settings.requestTimeout());
        setIfAbsent("sun.net.httpserver.maxRspTime", settings.requestTimeout());
        setIfAbsent("sun.net.httpserver.idleInterval", settings.idleTimeout());
        // Off by default in the JDK: with Nagle's algorithm a response written in two pieces
        // (headers, then body) waits for the client's delayed ACK of the first.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private static void setIfAbsent(String property, Duration value) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, Long.toString(Math.max(1, value.toSeconds())));
        }
    }

    /**
     * @param threads        worker threads; webhook calls are short, so a few suffice
     * @param queue          requests that may wait for a worker before new ones are refused
     * @param backlog        TCP accept backlog
     * @param requestTimeout longest a request may take to arrive or be answered; past the
     *                       API server's webhook timeout there is no point in going on
     * @param idleTimeout    how long an idle keep-alive connection stays open
     */
    public record Settings(int threads, int queue, int backlog, Duration requestTimeout, Duration idleTimeout) {

        public static final Settings DEFAULT = new Settings(8, 256, 128, Duration.ofSeconds(10), Duration.ofSeconds(60));
    }
}
