package dev.kelp.operator.server;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator as its own CA. The CA and the serving certificate live in one Secret in the
 * operator's namespace, so every replica and every restart serves the same certificate and
 * the webhook's caBundle stays valid. Two replicas starting together race to create the
 * Secret: the loser reads the winner's. Renewal replaces the Secret only if nobody else
 * changed it since it was read (resourceVersion), so two replicas renewing at once converge
 * on one certificate too.
 */
public final class SelfManagedCertificates implements CertificateSource {

    static final String CA_CERT = "ca.crt";
    static final String CA_KEY = "ca.key";
    static final String TLS_CERT = "tls.crt";
    static final String TLS_KEY = "tls.key";

    private static final Logger LOG = LoggerFactory.getLogger(SelfManagedCertificates.class);

    private final KubernetesClient client;
    private final String namespace;
    private final String secretName;
    private final CertificateIssuer.SubjectNames names;
    private final RenewalPolicy renewal;
    private final Clock clock;

    public SelfManagedCertificates(KubernetesClient client, String namespace, String secretName,
                                   CertificateIssuer.SubjectNames names, RenewalPolicy renewal, Clock clock) {
        this.client = client;
        this.namespace = namespace;
        this.secretName = secretName;
        this.names = names;
        this.renewal = renewal;
        this.clock = clock;
    }

    @Override
    public CertificateBundle load() {
        for (int attempt = 0; attempt < 5; attempt++) {
            Secret secret = secrets().get();
            if (secret == null) {
                if (create(issueNew())) {
                    LOG.info("Issued a new webhook CA and serving certificate into Secret {}/{}", namespace, secretName);
                }
                continue;
            }
            CertificateBundle stored = read(secret);
            var due = stored == null ? RenewalPolicy.Due.CA : renewal.due(stored, names, clock.instant());
            if (due == RenewalPolicy.Due.NOTHING) {
                return stored;
            }
            CertificateBundle next = due == RenewalPolicy.Due.CA
                ? issueNew()
                : CertificateIssuer.renew(stored, names, clock.instant(), renewal.leafValidity());
            if (replace(secret, next)) {
                LOG.info("Renewed the webhook {} in Secret {}/{}", due == RenewalPolicy.Due.CA ? "CA and certificate" : "serving certificate", namespace, secretName);
            }
        }
        throw new IllegalStateException("Secret " + namespace + "/" + secretName + " keeps changing under us; giving up for now");
    }

    private CertificateBundle issueNew() {
        return CertificateIssuer.issue("kelp-operator-webhook-ca", names, clock.instant(), renewal.caValidity(), renewal.leafValidity());
    }

    private boolean create(CertificateBundle bundle) {
        try {
            client.secrets().inNamespace(namespace).resource(toSecret(bundle, null)).create();
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
                return false; // another replica created it first: read theirs on the next turn
            }
            throw e;
        }
    }

    private boolean replace(Secret current, CertificateBundle bundle) {
        try {
            // update() sends the resourceVersion we read: a 409 means someone renewed first.
            client.secrets().inNamespace(namespace).resource(toSecret(bundle, current.getMetadata().getResourceVersion())).update();
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
                return false;
            }
            throw e;
        }
    }

    private Secret toSecret(CertificateBundle bundle, String resourceVersion) {
        return new SecretBuilder()
            .withNewMetadata()
                .withName(secretName).withNamespace(namespace).withResourceVersion(resourceVersion)
                .addToLabels("app.kubernetes.io/managed-by", "kelp-operator")
                .addToLabels("app.kubernetes.io/component", "webhook-certificate")
            .endMetadata()
            .withType("kubernetes.io/tls")
            .withData(Map.of(
                CA_CERT, b64(bundle.caPem()), CA_KEY, b64(bundle.caKeyPem()),
                TLS_CERT, b64(bundle.certPem()), TLS_KEY, b64(bundle.keyPem())))
            .build();
    }

    /** The stored bundle, or null when the Secret holds something we cannot use (then we reissue). */
    private CertificateBundle read(Secret secret) {
        Map<String, String> data = secret.getData();
        if (data == null || !data.keySet().containsAll(java.util.List.of(CA_CERT, CA_KEY, TLS_CERT, TLS_KEY))) {
            LOG.warn("Secret {}/{} lacks some of {}, {}, {}, {}: reissuing", namespace, secretName, CA_CERT, CA_KEY, TLS_CERT, TLS_KEY);
            return null;
        }
        try {
            var bundle = new CertificateBundle(unb64(data.get(CA_CERT)), unb64(data.get(TLS_CERT)), unb64(data.get(TLS_KEY)), unb64(data.get(CA_KEY)));
            bundle.leaf();
            bundle.key();
            bundle.caKey();
            return bundle;
        } catch (RuntimeException e) {
            LOG.warn("Secret {}/{} holds no usable certificate ({}): reissuing", namespace, secretName, e.getMessage());
            return null;
        }
    }

    private io.fabric8.kubernetes.client.dsl.Resource<Secret> secrets() {
        return client.secrets().inNamespace(namespace).withName(secretName);
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String unb64(String s) {
        return new String(Base64.getDecoder().decode(s), StandardCharsets.UTF_8);
    }
}
