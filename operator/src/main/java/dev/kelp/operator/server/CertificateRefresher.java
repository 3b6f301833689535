package dev.kelp.operator.server;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the certificate source again every interval and hands a changed certificate to whoever
 * serves it (the HTTPS endpoint) and every loaded one to whoever publishes its CA (the
 * caBundle patcher, which only writes when it differs). An error is logged and retried on the
 * next tick: the certificate in use stays valid for weeks after renewal is first due.
 */
public final class CertificateRefresher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CertificateRefresher.class);

    private final CertificateSource source;
    private final List<Consumer<CertificateBundle>> onChange = new CopyOnWriteArrayList<>();
    private final List<Consumer<CertificateBundle>> onLoad = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        var t = new Thread(r, "kelp-certificate-refresher");
        t.setDaemon(true);
        return t;
    });
    private volatile CertificateBundle current;

    public CertificateRefresher(CertificateSource source) {
        this.source = source;
    }

    /** Called with each certificate that differs from the one before (not the first). */
    public CertificateRefresher onChange(Consumer<CertificateBundle> listener) {
        onChange.add(listener);
        return this;
    }

    /** Called with every certificate loaded, the first included. */
    public CertificateRefresher onLoad(Consumer<CertificateBundle> listener) {
        onLoad.add(listener);
        return this;
    }

    /** Loads once now (failing loudly: the operator cannot serve without it), then every interval. */
    public CertificateBundle start(Duration interval) {
        CertificateBundle first = refresh();
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                refresh();
            } catch (RuntimeException e) {
                LOG.warn("Certificate refresh failed; keeping the current certificate: {}", e.toString());
            }
        }, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        return first;
    }

    /** The certificate served now. */
    public CertificateBundle current() {
        return current;
    }

    synchronized CertificateBundle refresh() {
        CertificateBundle loaded = source.load();
        boolean changed = current != null && (!Objects.equals(current.certPem(), loaded.certPem()) || !Objects.equals(current.caPem(), loaded.caPem()));
        current = loaded;
        if (changed) {
            onChange.forEach(c -> c.accept(loaded));
        }
        onLoad.forEach(c -> c.accept(loaded));
        return loaded;
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
