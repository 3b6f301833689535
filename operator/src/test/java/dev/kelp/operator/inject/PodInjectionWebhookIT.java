package dev.kelp.operator.inject;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.kelp.crds.PrintCrds;
import dev.kelp.crds.v1alpha1.AgentSpec;
import dev.kelp.crds.v1alpha1.EmptyDirFallback;
import dev.kelp.crds.v1alpha1.EncryptionSpec;
import dev.kelp.crds.v1alpha1.EventsSpec;
import dev.kelp.crds.v1alpha1.FallbackSpec;
import dev.kelp.crds.v1alpha1.MetadataSpec;
import dev.kelp.crds.v1alpha1.MissingPolicyAction;
import dev.kelp.crds.v1alpha1.SeaweedfsSpec;
import dev.kelp.crds.v1alpha1.SignedUrlsSpec;
import dev.kelp.crds.v1alpha1.StoragePolicy;
import dev.kelp.crds.v1alpha1.StoragePolicySpec;
import dev.kelp.operator.server.CaBundlePatcher;
import dev.kelp.operator.server.CertificateBundle;
import dev.kelp.operator.server.CertificateIssuer.SubjectNames;
import dev.kelp.operator.server.EndpointSettings;
import dev.kelp.operator.server.OperatorEndpoint;
import dev.kelp.operator.server.RenewalPolicy;
import dev.kelp.operator.server.SelfManagedCertificates;
import dev.kelp.testkit.TestCluster;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The real kube-apiserver calls the operator's webhook over TLS at
 * https://127.0.0.1:&lt;port&gt;/mutate-pods, trusting only the caBundle the operator's own
 * certificate manager patched in, and stores the pods as the webhook changed them.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PodInjectionWebhookIT {

    private static final String NAMESPACE = "inject-it";
    private static final String OPERATOR_NAMESPACE = "inject-it-operator";
    private static final String WEBHOOK = "kelp-inject-it";
    private static final String TLS_SECRET = "kelp-webhook-tls";
    private static final String IMAGE = "ghcr.io/kelp-dev/kelp-agent:it";
    private static final String HASH = "3f1c0ffee";

    private static final Map<String, String> ENV = Map.of(
        "KELP_OPERATOR_NAMESPACE", OPERATOR_NAMESPACE,
        "KELP_WEBHOOK_PORT", "0",
        "KELP_WEBHOOK_IPS", "127.0.0.1",
        "KELP_WEBHOOK_CONFIGURATION", WEBHOOK,
        "KELP_WEBHOOK_TLS_SECRET", TLS_SECRET,
        "KELP_AGENT_IMAGE", IMAGE);

    private static KubernetesClient client;
    private static Injection injection;
    private static OperatorEndpoint endpoint;

    /** Wired the way the operator's main wires it, from the same environment variables. */
    @BeforeAll
    static void startWebhook() {
        client = TestCluster.client();
        TestCluster.installCrd(client, PrintCrds.read(PrintCrds.RESOURCES.getFirst()));
        TestCluster.createNamespace(client, NAMESPACE);
        TestCluster.createNamespace(client, OPERATOR_NAMESPACE);
        client.secrets().inNamespace(OPERATOR_NAMESPACE).withName(TLS_SECRET).delete();
        client.admissionRegistration().v1().mutatingWebhookConfigurations().withName(WEBHOOK).delete();

        injection = Injection.start(client, InjectionSettings.fromEnv(ENV), (ns, policy) -> { });
        endpoint = serve();
        // Registered with no caBundle: the patcher must fill it in, or the API server cannot trust us.
        InjectionWebhookConfiguration.apply(client, InjectionWebhookConfiguration.forUrl(WEBHOOK,
            "https://127.0.0.1:" + endpoint.port(), null, InjectionWebhookConfiguration.excluded(OPERATOR_NAMESPACE)));
        assertThat(new CaBundlePatcher(client, WEBHOOK).patch(certificates().load())).isTrue();

        secret("s3-creds", Map.of("accessKey", "a", "secretKey", "b"));
        secret("pg", Map.of("url", "jdbc:postgresql://pg:5432/kelp", "username", "u", "password", "p"));
        secret("cassandra", Map.of("contactPoints", "c:9042", "localDatacenter", "dc1"));
        secret("signing", Map.of("key", "k".repeat(32)));
        secret("aes", Map.of("key", "x".repeat(32)));
        createPolicy(fullPolicy("shop"));
        agentConfig("shop");
        var web = basicPolicy("web");
        web.getSpec().setPodSelector(new LabelSelectorBuilder().addToMatchLabels("app", "web").build());
        createPolicy(web);
        agentConfig("web");
        awaitWebhookServes();
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.admissionRegistration().v1().mutatingWebhookConfigurations().withName(WEBHOOK).delete();
            client.pods().inNamespace(NAMESPACE).delete();
            client.resources(StoragePolicy.class).inNamespace(NAMESPACE).delete();
        }
        if (endpoint != null) {
            endpoint.close();
        }
        if (injection != null) {
            injection.close();
        }
        if (client != null) {
            client.close();
        }
    }

    @Test
    @Order(1)
    void annotatedPodIsStoredWithTheNativeSidecarAndEveryPiece() {
        var stored = create(pod("shop-0").editMetadata().addToAnnotations("kelp.dev/policy", "shop").addToLabels("app", "shop").endMetadata()
            .editSpec().addNewInitContainer().withName("migrate").withImage("busybox").endInitContainer()
                .addNewVolume().withName("data").withNewEmptyDir().endEmptyDir().endVolume()
                .withTerminationGracePeriodSeconds(20L).endSpec()
            .build());

        var init = stored.getSpec().getInitContainers();
        assertThat(init).extracting(Container::getName).containsExactly("kelp-agent", "migrate");
        Container agent = init.getFirst();
        assertThat(agent.getRestartPolicy()).isEqualTo("Always");
        assertThat(agent.getImage()).isEqualTo(IMAGE);
        assertThat(agent.getCommand()).containsExactly("java", "-XX:MaxRAMPercentage=40", "-XX:+ExitOnOutOfMemoryError", "-jar", "/opt/kelp/kelp-agent.jar");

        Map<String, EnvVar> env = agent.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, Function.identity()));
        assertThat(env.get("MICRONAUT_CONFIG_FILES").getValue()).isEqualTo("/etc/kelp/agent.yml");
        assertThat(env.get("KELP_AGENT_PORT").getValue()).isEqualTo("9000");
        assertThat(env.get("KELP_AGENT_HEALTH_PORT").getValue()).isEqualTo("9001");
        assertThat(env.get("KELP_POLICY").getValue()).isEqualTo("shop");
        assertThat(Map.of("KELP_AGENT_ID", "metadata.name", "KELP_POD_NAME", "metadata.name", "KELP_POD_NAMESPACE", "metadata.namespace", "KELP_POD_UID", "metadata.uid"))
            .allSatisfy((name, path) -> assertThat(env.get(name).getValueFrom().getFieldRef().getFieldPath()).as(name).isEqualTo(path));
        assertSecretRef(env, "KELP_SEAWEEDFS_ACCESS_KEY", "s3-creds", "accessKey", null);
        assertSecretRef(env, "KELP_SEAWEEDFS_SECRET_KEY", "s3-creds", "secretKey", null);
        assertSecretRef(env, "KELP_METADATA_URL", "pg", "url", null);
        assertSecretRef(env, "KELP_METADATA_USERNAME", "pg", "username", null);
        assertSecretRef(env, "KELP_METADATA_PASSWORD", "pg", "password", null);
        assertSecretRef(env, "KELP_EVENTS_CASSANDRA_CONTACT_POINTS", "cassandra", "contactPoints", null);
        assertSecretRef(env, "KELP_EVENTS_CASSANDRA_LOCAL_DATACENTER", "cassandra", "localDatacenter", null);
        assertSecretRef(env, "KELP_EVENTS_CASSANDRA_USERNAME", "cassandra", "username", true);
        assertSecretRef(env, "KELP_EVENTS_CASSANDRA_PASSWORD", "cassandra", "password", true);
        assertSecretRef(env, "KELP_SIGNED_URLS_KEY", "signing", "key", null);
        assertThat(env).as("the encryption key comes as a mounted Secret, which a rotation updates in place").doesNotContainKey("KELP_ENCRYPTION_KEY");

        assertThat(agent.getPorts()).singleElement().satisfies(p -> assertThat(p.getContainerPort()).isEqualTo(9001));
        assertThat(agent.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/health/readiness");
        assertThat(agent.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/health/liveness");
        assertThat(agent.getStartupProbe().getHttpGet().getPath()).isEqualTo("/health/liveness");
        assertThat(agent.getReadinessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("kelp-health");
        assertThat(agent.getResources().getLimits()).containsEntry("memory", new Quantity("768Mi"));

        var security = agent.getSecurityContext();
        assertThat(security.getRunAsNonRoot()).isTrue();
        assertThat(security.getReadOnlyRootFilesystem()).isTrue();
        assertThat(security.getAllowPrivilegeEscalation()).isFalse();
        assertThat(security.getCapabilities().getDrop()).containsExactly("ALL");

        assertThat(agent.getVolumeMounts()).extracting(m -> m.getName() + ":" + m.getMountPath() + ":" + Boolean.TRUE.equals(m.getReadOnly()))
            .contains("kelp-config:/etc/kelp:true", "kelp-fallback:/var/lib/kelp:false", "kelp-encryption:/etc/kelp-encryption:true");
        Map<String, Volume> volumes = stored.getSpec().getVolumes().stream().collect(Collectors.toMap(Volume::getName, Function.identity()));
        assertThat(volumes).containsKeys("data", "kelp-config", "kelp-fallback", "kelp-tmp", "kelp-encryption");
        assertThat(volumes.get("kelp-encryption").getSecret().getSecretName()).isEqualTo("aes");
        assertThat(volumes.get("kelp-config").getConfigMap().getName()).isEqualTo("kelp-agent-shop");
        assertThat(volumes.get("kelp-fallback").getEmptyDir().getSizeLimit()).isEqualTo(new Quantity("2Gi"));

        assertThat(stored.getMetadata().getLabels()).containsEntry("kelp.dev/policy", "shop").containsEntry("app", "shop");
        assertThat(stored.getMetadata().getAnnotations()).containsEntry("kelp.dev/injected", HASH);
        assertThat(stored.getSpec().getTerminationGracePeriodSeconds()).isEqualTo(50L);
    }

    @Test
    @Order(2)
    void aPodReadmittedFromAnInjectedSpecGetsNoSecondAgent() {
        var first = create(pod("again-0").editMetadata().addToAnnotations("kelp.dev/policy", "shop").endMetadata().build());
        var copy = new PodBuilder(first).withMetadata(new ObjectMetaBuilder()
            .withName("again-1").withNamespace(NAMESPACE)
            .withLabels(first.getMetadata().getLabels()).withAnnotations(first.getMetadata().getAnnotations()).build())
            .withStatus(null).build();

        var second = create(copy);

        assertThat(second.getSpec().getInitContainers()).extracting(Container::getName).containsExactly("kelp-agent");
        assertThat(second.getSpec().getVolumes()).hasSameSizeAs(first.getSpec().getVolumes());
        assertThat(second.getSpec().getTerminationGracePeriodSeconds()).isEqualTo(first.getSpec().getTerminationGracePeriodSeconds());
    }

    @Test
    @Order(3)
    void aPodWithNeitherAnnotationNorSelectedLabelsIsUntouched() {
        var stored = create(pod("plain-0").editMetadata().addToLabels("app", "other").endMetadata().build());

        assertThat(stored.getSpec().getInitContainers()).isEmpty();
        assertThat(stored.getMetadata().getLabels()).doesNotContainKey("kelp.dev/policy");
    }

    @Test
    @Order(4)
    void aPodSelectedByAPolicysPodSelectorGetsThatPolicysAgent() {
        var stored = create(pod("web-0").editMetadata().addToLabels("app", "web").endMetadata().build());

        assertThat(stored.getSpec().getInitContainers()).extracting(Container::getName).containsExactly("kelp-agent");
        assertThat(stored.getMetadata().getLabels()).containsEntry("kelp.dev/policy", "web");
        assertThat(stored.getSpec().getInitContainers().getFirst().getResources()).isEqualTo(AgentDefaults.DEFAULT_RESOURCES);
    }

    @Test
    @Order(5)
    void aPodNamingAMissingPolicyIsRefusedWithWhatIsMissing() {
        var pod = pod("lost-0").editMetadata().addToAnnotations("kelp.dev/policy", "nope").endMetadata().build();

        assertThatThrownBy(() -> client.pods().inNamespace(NAMESPACE).resource(pod).create())
            .isInstanceOf(KubernetesClientException.class)
            .hasMessageContaining("admission webhook \"annotated.inject.kelp.dev\" denied the request: StoragePolicy \"nope\" not found in namespace \"inject-it\"");
        assertThat(client.pods().inNamespace(NAMESPACE).withName("lost-0").get()).isNull();
    }

    @Test
    @Order(6)
    void aPolicyWithoutItsConfigMapRefusesPodsUnlessItSaysAdmit() {
        createPolicy(basicPolicy("unrendered"));
        var refused = pod("unrendered-0").editMetadata().addToAnnotations("kelp.dev/policy", "unrendered").endMetadata().build();
        assertThatThrownBy(() -> client.pods().inNamespace(NAMESPACE).resource(refused).create())
            .hasMessageContaining("denied the request: StoragePolicy \"unrendered\" in namespace \"inject-it\" has no agent configuration yet (ConfigMap \"kelp-agent-unrendered\" not found)");

        var lenient = basicPolicy("lenient");
        lenient.getSpec().setMissingPolicyAction(MissingPolicyAction.ADMIT);
        createPolicy(lenient);
        var admitted = create(pod("lenient-0").editMetadata().addToAnnotations("kelp.dev/policy", "lenient").endMetadata().build());

        assertThat(admitted.getSpec().getInitContainers()).isEmpty();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(client.v1().events().inNamespace(NAMESPACE).list().getItems())
            .anySatisfy(e -> {
                assertThat(e.getInvolvedObject().getName()).isEqualTo("lenient-0");
                assertThat(e.getType()).isEqualTo("Warning");
                assertThat(e.getReason()).isEqualTo(PodEvents.AGENT_NOT_INJECTED);
                assertThat(e.getMessage()).contains("ConfigMap \"kelp-agent-lenient\" not found", "admitted without the Kelp agent");
            }));
    }

    @Test
    @Order(7)
    void aRestartedServerReusesTheCertificateInItsSecretAndTheCaBundleStillHolds() {
        String caBundleBefore = caBundle();
        CertificateBundle before = certificates().load();
        endpoint.close();

        endpoint = serve();
        InjectionWebhookConfiguration.apply(client, InjectionWebhookConfiguration.forUrl(WEBHOOK,
            "https://127.0.0.1:" + endpoint.port(), endpoint.caPem(), InjectionWebhookConfiguration.excluded(OPERATOR_NAMESPACE)));
        CertificateBundle after = certificates().load();

        assertThat(endpoint.caPem()).isEqualTo(before.caPem());
        assertThat(after.certPem()).isEqualTo(before.certPem());
        assertThat(after.keyPem()).isEqualTo(before.keyPem());
        assertThat(caBundle()).isEqualTo(caBundleBefore);
        awaitWebhookServes();
        var stored = create(pod("restart-0").editMetadata().addToAnnotations("kelp.dev/policy", "shop").endMetadata().build());
        assertThat(stored.getSpec().getInitContainers()).extracting(Container::getName).containsExactly("kelp-agent");
    }

    private static SelfManagedCertificates certificates() {
        return new SelfManagedCertificates(client, OPERATOR_NAMESPACE, TLS_SECRET,
            SubjectNames.forService("kelp-operator", OPERATOR_NAMESPACE, List.of("127.0.0.1")), RenewalPolicy.DEFAULT, Clock.systemUTC());
    }

    private static OperatorEndpoint serve() {
        return OperatorEndpoint.create(client, EndpointSettings.fromEnv(ENV)).mount(PodMutationWebhook.PATH, injection.webhook()).start();
    }

    private static String caBundle() {
        return client.admissionRegistration().v1().mutatingWebhookConfigurations().withName(WEBHOOK).get()
            .getWebhooks().getFirst().getClientConfig().getCaBundle();
    }

    /** The API server picks up a new webhook configuration asynchronously: dry-run until it calls us. */
    private static void awaitWebhookServes() {
        var probe = pod("probe").editMetadata().addToAnnotations("kelp.dev/policy", "shop").endMetadata().build();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() ->
            !client.pods().inNamespace(NAMESPACE).resource(probe).dryRun().create().getSpec().getInitContainers().isEmpty());
    }

    private static void assertSecretRef(Map<String, EnvVar> env, String name, String secret, String key, Boolean optional) {
        var ref = env.get(name).getValueFrom().getSecretKeyRef();
        assertThat(ref.getName()).as(name).isEqualTo(secret);
        assertThat(ref.getKey()).as(name).isEqualTo(key);
        assertThat(ref.getOptional()).as(name).isEqualTo(optional);
    }

    private static Pod create(Pod pod) {
        return client.pods().inNamespace(NAMESPACE).resource(pod).create();
    }

    private static PodBuilder pod(String name) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace(NAMESPACE).endMetadata()
            .withNewSpec().addNewContainer().withName("app").withImage("busybox").withCommand("sleep", "3600").endContainer().endSpec();
    }

    private static void secret(String name, Map<String, String> data) {
        client.secrets().inNamespace(NAMESPACE).resource(new SecretBuilder().withNewMetadata().withName(name).endMetadata()
            .withStringData(data).build()).serverSideApply();
    }

    /** The ConfigMap as docs/operator.md says the reconciler renders it. */
    private static void agentConfig(String policy) {
        client.configMaps().inNamespace(NAMESPACE).resource(new ConfigMapBuilder().withNewMetadata()
            .withName("kelp-agent-" + policy).withNamespace(NAMESPACE)
            .addToLabels("kelp.dev/policy", policy).addToLabels("app.kubernetes.io/managed-by", "kelp-operator")
            .addToAnnotations("kelp.dev/config-hash", HASH).endMetadata()
            .addToData("agent.yml", "kelp:\n  fallback:\n    dir: /var/lib/kelp\n").build()).serverSideApply();
    }

    private static void createPolicy(StoragePolicy policy) {
        client.resources(StoragePolicy.class).inNamespace(NAMESPACE).resource(policy).serverSideApply();
    }

    private static StoragePolicy basicPolicy(String name) {
        var policy = new StoragePolicy();
        policy.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(NAMESPACE).build());
        var seaweedfs = new SeaweedfsSpec();
        seaweedfs.setEndpoint("http://seaweedfs-s3.storage:8333");
        seaweedfs.setCredentialsSecret("s3-creds");
        var spec = new StoragePolicySpec();
        spec.setSeaweedfs(seaweedfs);
        spec.setBuckets(List.of("templates"));
        policy.setSpec(spec);
        return policy;
    }

    private static StoragePolicy fullPolicy(String name) {
        var policy = basicPolicy(name);
        var spec = policy.getSpec();
        var metadata = new MetadataSpec();
        metadata.setConnectionSecret("pg");
        spec.setMetadata(metadata);
        var events = new EventsSpec();
        events.setConnectionSecret("cassandra");
        spec.setEvents(events);
        var signed = new SignedUrlsSpec();
        signed.setKeySecret("signing");
        spec.setSignedUrls(signed);
        var encryption = new EncryptionSpec();
        encryption.setKeySecret("aes");
        spec.setEncryption(encryption);
        var fallback = new FallbackSpec();
        fallback.setEmptyDir(new EmptyDirFallback(new Quantity("2Gi")));
        spec.setFallback(fallback);
        var agent = new AgentSpec();
        agent.setPort(9000);
        agent.setResources(new ResourceRequirementsBuilder().addToRequests("memory", new Quantity("384Mi"))
            .addToLimits("memory", new Quantity("768Mi")).build());
        spec.setAgent(agent);
        return policy;
    }
}
