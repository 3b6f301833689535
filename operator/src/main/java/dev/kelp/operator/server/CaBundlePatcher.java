package dev.kelp.operator.server;

import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the caBundle of the operator's MutatingWebhookConfiguration equal to its CA. Run on
 * every refresh, not only after a renewal: a Helm upgrade that re-applies the configuration
 * blanks the caBundle, and this puts it back within one refresh interval.
 */
public final class CaBundlePatcher {

    private static final Logger LOG = LoggerFactory.getLogger(CaBundlePatcher.class);

    private final KubernetesClient client;
    private final String configurationName;

    public CaBundlePatcher(KubernetesClient client, String configurationName) {
        this.client = client;
        this.configurationName = configurationName;
    }

    /** True when it changed something; false when already right or the configuration is absent. */
    public boolean patch(CertificateBundle bundle) {
        String caBundle = Base64.getEncoder().encodeToString(bundle.caPem().getBytes(StandardCharsets.UTF_8));
        var resource = client.admissionRegistration().v1().mutatingWebhookConfigurations().withName(configurationName);
        MutatingWebhookConfiguration current = resource.get();
        if (current == null) {
            LOG.warn("MutatingWebhookConfiguration {} does not exist: nothing to give the CA to", configurationName);
            return false;
        }
        if (current.getWebhooks().stream().allMatch(w -> Objects.equals(caBundle, w.getClientConfig().getCaBundle()))) {
            return false;
        }
        resource.edit(c -> {
            c.getWebhooks().forEach(w -> w.getClientConfig().setCaBundle(caBundle));
            return c;
        });
        LOG.info("Patched the caBundle of MutatingWebhookConfiguration {}", configurationName);
        return true;
    }
}
