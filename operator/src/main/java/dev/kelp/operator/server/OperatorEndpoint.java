package dev.kelp.operator.server;

import com.sun.net.httpserver.HttpHandler;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;

/**
 * The operator's HTTPS endpoint with its certificate kept current: self-managed (a CA of its
 * own in a Secret, caBundle patched) or mounted (cert-manager issues, its CA injector patches
 * the caBundle). Mount handlers, then {@link #start()}.
 */
public final class OperatorEndpoint implements AutoCloseable {

    /** Often enough to repair a caBundle blanked by a Helm upgrade soon; each tick is one GET or two. */
    static final Duration REFRESH = Duration.ofMinutes(1);

    private final CertificateRefresher refresher;
    private final HttpsEndpoint endpoint;

    private OperatorEndpoint(CertificateRefresher refresher, HttpsEndpoint endpoint) {
        this.refresher = refresher;
        this.endpoint = endpoint;
    }

    /** Loads (or issues) the certificate now, failing if it cannot, and binds the port; serves nothing until started. */
    public static OperatorEndpoint create(KubernetesClient client, EndpointSettings settings) {
        CertificateRefresher refresher;
        if (settings.certDir().isPresent()) {
            refresher = new CertificateRefresher(new MountedCertificates(settings.certDir().get()));
        } else {
            var names = CertificateIssuer.SubjectNames.forService(settings.service(), settings.namespace(), settings.ipAddresses());
            var patcher = new CaBundlePatcher(client, settings.webhookConfiguration());
            refresher = new CertificateRefresher(new SelfManagedCertificates(client, settings.namespace(), settings.tlsSecret(), names,
                RenewalPolicy.DEFAULT, Clock.systemUTC()))
                .onLoad(bundle -> patcher.patch(bundle));
        }
        var endpoint = new HttpsEndpoint(new InetSocketAddress(settings.port()), refresher.start(REFRESH), HttpsEndpoint.Settings.DEFAULT);
        refresher.onChange(endpoint::useCertificate);
        return new OperatorEndpoint(refresher, endpoint);
    }

    public OperatorEndpoint mount(String path, HttpHandler handler) {
        endpoint.mount(path, handler);
        return this;
    }

    public OperatorEndpoint start() {
        endpoint.start();
        return this;
    }

    public int port() {
        return endpoint.port();
    }

    /**
     * The CA that clients of this endpoint trust, as PEM: the agents' {@code kelp.report.ca-file}.
     * It changes only when the CA is renewed (every few years) or cert-manager re-issues it.
     */
    public String caPem() {
        return refresher.current().caPem();
    }

    @Override
    public void close() {
        refresher.close();
        endpoint.close();
    }
}
