package dev.kelp.operator.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.kelp.crds.PrintCrds;
import dev.kelp.crds.v1alpha1.AgentMode;
import dev.kelp.crds.v1alpha1.BackupSchedule;
import dev.kelp.crds.v1alpha1.PolicyReference;
import dev.kelp.crds.v1alpha1.StoragePolicy;
import dev.kelp.crds.v1alpha1.TierRule;
import dev.kelp.operator.KelpOperator;
import dev.kelp.operator.config.OperatorSettings;
import dev.kelp.operator.report.FleetStatus;
import dev.kelp.testkit.TestCluster;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import java.util.Set;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The operator, in this JVM, reconciling the three kinds on the proving ground's real
 * kube-apiserver (no kube-controller-manager: owner references are not garbage-collected).
 * Agents' reports come from a FleetView the test sets per policy and reach the reconciler
 * through an extra event source, as the report registry's will; the resync is the default 60 s.
 */
class StoragePolicyReconcilerIT {

    private static final String NAMESPACE = "reconciler-it";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ReportTarget REPORT = new ReportTarget("https://kelp-operator.kelp-system.svc:9443/v1/reports",
        "-----BEGIN CERTIFICATE-----\nMIIBtest\n-----END CERTIFICATE-----\n");
    private static final Map<String, FleetStatus> FLEET = new ConcurrentHashMap<>();
    private static final ReportTrigger TRIGGER = new ReportTrigger();

    /** Stands in for the report registry's event source: reconciles a policy when its agents' fold changed. */
    static final class ReportTrigger extends AbstractEventSource<Void, StoragePolicy> {

        ReportTrigger() {
            super(Void.class, "test-report-trigger");
        }

        void fire(String policy) {
            getEventHandler().handleEvent(new Event(new ResourceID(policy, NAMESPACE)));
        }

        @Override
        public Set<Void> getSecondaryResources(StoragePolicy primary) {
            return Set.of();
        }
    }

    private static KubernetesClient client;
    private static Operator operator;

    @BeforeAll
    static void startOperator() {
        client = TestCluster.client();
        PrintCrds.RESOURCES.forEach(crd -> TestCluster.installCrd(client, PrintCrds.read(crd)));
        TestCluster.createNamespace(client, NAMESPACE);
        secret("s3-creds", "accessKey", "secretKey");
        client.secrets().inNamespace(NAMESPACE).withName("absent-creds").delete();
        // Events outlive the objects they are about: a rerun must count only its own.
        client.v1().events().inNamespace(NAMESPACE).delete();
        // The default resync: fleet changes reach the reconciler through the trigger, as the report registry's would.
        var settings = OperatorSettings.embedded(NAMESPACE);
        operator = KelpOperator.create(client, settings,
            (ns, policy) -> FLEET.getOrDefault(ns + "/" + policy, FleetStatus.NONE),
            Optional.of(REPORT), List.of(TRIGGER), new SimpleMeterRegistry());
        operator.start();
    }

    @AfterAll
    static void stopOperator() {
        if (operator != null) {
            operator.stop();
        }
        if (client != null) {
            client.resources(TierRule.class).inNamespace(NAMESPACE).delete();
            client.resources(BackupSchedule.class).inNamespace(NAMESPACE).delete();
            for (var p : client.resources(StoragePolicy.class).inNamespace(NAMESPACE).list().getItems()) {
                client.resources(StoragePolicy.class).inNamespace(NAMESPACE).withName(p.getMetadata().getName()).edit(x -> {
                    x.getMetadata().setFinalizers(List.of());
                    return x;
                });
            }
            client.resources(StoragePolicy.class).inNamespace(NAMESPACE).delete();
            client.configMaps().inNamespace(NAMESPACE).withLabel(AgentConfigMap.MANAGED_BY_LABEL, AgentConfigMap.MANAGED_BY).delete();
            client.close();
        }
    }

    @Test
    void policyRendersItsConfigMapAndReRendersWhenItChanges() throws Exception {
        var created = policies().resource(policy("rendered", "s3-creds")).create();

        var ready = awaitCondition("rendered", "Ready", c -> true);
        assertThat(ready.getStatus()).isEqualTo("True");
        assertThat(ready.getObservedGeneration()).isEqualTo(1L);
        ConfigMap cm = awaitConfigMap("rendered", null);
        assertThat(cm.getMetadata().getLabels()).containsEntry("kelp.dev/policy", "rendered")
            .containsEntry("app.kubernetes.io/managed-by", "kelp-operator");
        assertThat(cm.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
            assertThat(o.getKind()).isEqualTo("StoragePolicy");
            assertThat(o.getUid()).isEqualTo(created.getMetadata().getUid());
            assertThat(o.getController()).isTrue();
        });
        String agentYml = cm.getData().get("agent.yml");
        String hash = cm.getMetadata().getAnnotations().get("kelp.dev/config-hash");
        assertThat(hash).isEqualTo(AgentConfigMap.hash(agentYml));
        assertThat(cm.getData()).containsEntry("operator-ca.crt", REPORT.caPem());
        Map<String, Object> kelp = kelp(agentYml);
        assertThat(section(kelp, "storage")).containsEntry("buckets", List.of("templates"));
        assertThat(section(kelp, "seaweedfs")).containsEntry("endpoint", "http://seaweedfs-s3.storage:8333");
        assertThat(section(kelp, "fallback")).containsEntry("dir", "/var/lib/kelp");
        assertThat(section(kelp, "report")).containsEntry("url", REPORT.url()).containsEntry("ca-file", "/etc/kelp/operator-ca.crt");
        assertThat(agentYml).doesNotContain("s3-creds");

        policies().withName("rendered").edit(p -> {
            p.getSpec().setBuckets(List.of("templates", "thumbnails"));
            return p;
        });

        ConfigMap changed = awaitConfigMap("rendered", hash);
        assertThat(section(kelp(changed.getData().get("agent.yml")), "storage")).containsEntry("buckets", List.of("templates", "thumbnails"));
        await().atMost(Duration.ofSeconds(30)).until(() -> policies().withName("rendered").get().getStatus().getObservedGeneration() == 2L);
        awaitEvent("rendered", "ConfigRendered");
        awaitEvent("rendered", "ConfigChanged");
    }

    @Test
    void tierRuleAndBackupScheduleAreRenderedIntoTheirPolicysConfigMap() throws Exception {
        policies().resource(policy("tiered", "s3-creds")).create();
        String hash = awaitConfigMap("tiered", null).getMetadata().getAnnotations().get("kelp.dev/config-hash");

        client.resources(TierRule.class).inNamespace(NAMESPACE).resource(tierRule("old-files", "tiered")).create();

        ConfigMap withRule = awaitConfigMap("tiered", hash);
        Map<String, Object> tiering = section(kelp(withRule.getData().get("agent.yml")), "tiering");
        assertThat(tiering.get("rules")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.LIST).singleElement()
            .satisfies(r -> {
                @SuppressWarnings("unchecked")
                var rule = (Map<String, Object>) r;
                assertThat(rule).containsEntry("name", "old-files").containsEntry("cold-after", "720h");
            });
        var ruleReady = await().atMost(Duration.ofSeconds(30)).until(() -> readyOf(client.resources(TierRule.class).inNamespace(NAMESPACE)
            .withName("old-files").get()), c -> c != null);
        assertThat(ruleReady.getStatus()).isEqualTo("True");
        assertThat(ruleReady.getReason()).isEqualTo("Attached");
        assertThat(client.resources(TierRule.class).inNamespace(NAMESPACE).withName("old-files").get().getStatus().getObjectsMoved()).isNull();

        String hashWithRule = withRule.getMetadata().getAnnotations().get("kelp.dev/config-hash");
        client.resources(BackupSchedule.class).inNamespace(NAMESPACE).resource(backupSchedule("nightly", "tiered", "0 3 * * *")).create();

        ConfigMap withBackup = awaitConfigMap("tiered", hashWithRule);
        assertThat(section(kelp(withBackup.getData().get("agent.yml")), "backups")).containsKey("schedules");
        var schedule = await().atMost(Duration.ofSeconds(30)).until(() -> client.resources(BackupSchedule.class).inNamespace(NAMESPACE)
            .withName("nightly").get(), b -> b.getStatus() != null && b.getStatus().getNextRun() != null);
        assertThat(java.time.Instant.parse(schedule.getStatus().getNextRun())).isAfter(java.time.Instant.now());
        assertThat(schedule.getStatus().getNextRun()).contains("T03:00:00Z");
        assertThat(schedule.getStatus().getPhase()).isNull();
        assertThat(readyOf(schedule).getStatus()).isEqualTo("True");

        client.resources(TierRule.class).inNamespace(NAMESPACE).withName("old-files").delete();
        ConfigMap withoutRule = awaitConfigMap("tiered", withBackup.getMetadata().getAnnotations().get("kelp.dev/config-hash"));
        assertThat(kelp(withoutRule.getData().get("agent.yml"))).doesNotContainKey("tiering");
    }

    @Test
    void settledPolicyIsNotWrittenAgainByPeriodicReconciles() throws Exception {
        policies().resource(policy("settled", "s3-creds")).create();
        awaitCondition("settled", "Degraded", c -> true);
        awaitConfigMap("settled", null);
        Thread.sleep(1_000);
        String policyVersion = policies().withName("settled").get().getMetadata().getResourceVersion();
        String configMapVersion = client.configMaps().inNamespace(NAMESPACE).withName("kelp-agent-settled").get().getMetadata().getResourceVersion();
        long events = events("settled").size();

        // Three reconciles, as agents' heartbeats would trigger them: none has anything new to write.
        for (int i = 0; i < 3; i++) {
            TRIGGER.fire("settled");
            Thread.sleep(1_500);
        }

        assertThat(policies().withName("settled").get().getMetadata().getResourceVersion()).isEqualTo(policyVersion);
        assertThat(client.configMaps().inNamespace(NAMESPACE).withName("kelp-agent-settled").get().getMetadata().getResourceVersion())
            .isEqualTo(configMapVersion);
        assertThat(events("settled")).hasSize((int) events);
    }

    @Test
    void deletedPolicyTakesItsConfigMapWithItEvenWithoutGarbageCollection() {
        policies().resource(policy("short-lived", "s3-creds")).create();
        awaitConfigMap("short-lived", null);
        assertThat(policies().withName("short-lived").get().getMetadata().getFinalizers()).isNotEmpty();

        policies().withName("short-lived").delete();

        await().atMost(Duration.ofSeconds(30)).until(() -> policies().withName("short-lived").get() == null);
        assertThat(client.configMaps().inNamespace(NAMESPACE).withName("kelp-agent-short-lived").get()).isNull();
    }

    @Test
    void missingSecretIsNamedUntilItIsCreated() {
        policies().resource(policy("no-secret", "absent-creds")).create();

        var notReady = awaitCondition("no-secret", "Ready", c -> "False".equals(c.getStatus()));
        assertThat(notReady.getReason()).isEqualTo("SecretMissing");
        assertThat(notReady.getMessage()).contains("absent-creds", "seaweedfs.credentialsSecret");
        awaitEvent("no-secret", "SecretMissing");

        secret("absent-creds", "accessKey");
        var keyMissing = awaitCondition("no-secret", "Ready", c -> "SecretKeyMissing".equals(c.getReason()));
        assertThat(keyMissing.getMessage()).contains("absent-creds", "secretKey");

        secret("absent-creds", "accessKey", "secretKey");
        var ready = awaitCondition("no-secret", "Ready", c -> "True".equals(c.getStatus()));
        assertThat(ready.getReason()).isEqualTo("ConfigRendered");
    }

    @Test
    void tierRuleForAMissingPolicySaysSoAndAttachesWhenThePolicyComes() {
        client.resources(TierRule.class).inNamespace(NAMESPACE).resource(tierRule("orphan", "later")).create();

        var notFound = await().atMost(Duration.ofSeconds(30)).until(() -> readyOf(client.resources(TierRule.class)
            .inNamespace(NAMESPACE).withName("orphan").get()), c -> c != null);
        assertThat(notFound.getStatus()).isEqualTo("False");
        assertThat(notFound.getReason()).isEqualTo("PolicyNotFound");
        assertThat(notFound.getMessage()).contains("later");
        await().atMost(Duration.ofSeconds(30)).until(() -> events("orphan").stream().anyMatch(e -> "PolicyNotFound".equals(e.getReason())));

        policies().resource(policy("later", "s3-creds")).create();

        await().atMost(Duration.ofSeconds(30)).until(() -> readyOf(client.resources(TierRule.class)
            .inNamespace(NAMESPACE).withName("orphan").get()), c -> "True".equals(c.getStatus()));
        assertThat(awaitConfigMap("later", null).getData().get("agent.yml")).contains("orphan");
    }

    @Test
    void fleetInFallbackShowsInStatusAndDegradesThePolicy() throws Exception {
        policies().resource(policy("outage", "s3-creds")).create();
        awaitCondition("outage", "Degraded", c -> "NoAgents".equals(c.getReason()));

        FLEET.put(NAMESPACE + "/outage", new FleetStatus(3, 2, 0, 2, 0, 41, 5_000_000, 120, AgentMode.FALLBACK));
        TRIGGER.fire("outage");

        var degraded = awaitCondition("outage", "Degraded", c -> "True".equals(c.getStatus()));
        assertThat(degraded.getReason()).isEqualTo("AgentsInFallback");
        assertThat(degraded.getMessage()).contains("2 in FALLBACK", "1 not ready");
        var status = policies().withName("outage").get().getStatus();
        assertThat(status.getMode()).isEqualTo(AgentMode.FALLBACK);
        assertThat(status.getAgentsDisplay()).isEqualTo("2/3");
        assertThat(status.getAgents().getFallback()).isEqualTo(2);
        assertThat(status.getPending().getObjects()).isEqualTo(41L);
        assertThat(status.getPending().getBytes()).isEqualTo(5_000_000L);
        assertThat(status.getPending().getOldestAgeSeconds()).isEqualTo(120L);
        awaitEvent("outage", "AgentsInFallback");
        assertThat(kubectl("get", "storagepolicies", "outage", "-n", NAMESPACE, "--no-headers"))
            .matches("outage\\s+FALLBACK\\s+2/3\\s+41\\s+\\S+");

        FLEET.put(NAMESPACE + "/outage", new FleetStatus(3, 3, 3, 0, 0, 0, 0, 0, AgentMode.FULL));
        TRIGGER.fire("outage");
        awaitCondition("outage", "Degraded", c -> "False".equals(c.getStatus()));
        awaitEvent("outage", "Recovered");
    }

    private static io.fabric8.kubernetes.client.dsl.NonNamespaceOperation<StoragePolicy, io.fabric8.kubernetes.api.model.KubernetesResourceList<StoragePolicy>,
        io.fabric8.kubernetes.client.dsl.Resource<StoragePolicy>> policies() {
        return client.resources(StoragePolicy.class).inNamespace(NAMESPACE);
    }

    private static Condition awaitCondition(String policy, String type, java.util.function.Predicate<Condition> until) {
        return await().atMost(Duration.ofSeconds(45)).until(() -> {
            var p = policies().withName(policy).get();
            return p == null || p.getStatus() == null ? null : Conditions.find(p.getStatus().getConditions(), type).orElse(null);
        }, c -> c != null && until.test(c));
    }

    private static ConfigMap awaitConfigMap(String policy, String otherThanHash) {
        return await().atMost(Duration.ofSeconds(30)).until(() -> client.configMaps().inNamespace(NAMESPACE).withName("kelp-agent-" + policy).get(),
            cm -> cm != null && !cm.getMetadata().getAnnotations().get("kelp.dev/config-hash").equals(otherThanHash));
    }

    private static void awaitEvent(String object, String reason) {
        await().atMost(Duration.ofSeconds(30)).until(() -> events(object).stream().anyMatch(e -> reason.equals(e.getReason())));
        assertThat(events(object).stream().filter(e -> reason.equals(e.getReason())).count()).as("events " + reason + " on " + object).isEqualTo(1);
    }

    private static List<io.fabric8.kubernetes.api.model.Event> events(String object) {
        return client.v1().events().inNamespace(NAMESPACE).withField("involvedObject.name", object).list().getItems();
    }

    private static Condition readyOf(io.fabric8.kubernetes.api.model.HasMetadata resource) {
        if (resource == null) {
            return null;
        }
        var status = resource instanceof TierRule t ? t.getStatus() : ((BackupSchedule) resource).getStatus();
        return status == null ? null : Conditions.find(status.getConditions(), "Ready").orElse(null);
    }

    /** The proving ground's real kubectl, reading the printer columns the CRD declares. */
    private static String kubectl(String... args) throws Exception {
        var command = new java.util.ArrayList<String>();
        command.add(java.nio.file.Path.of(dev.kelp.testkit.ProvingGround.require("KELP_KUBE_BIN"), "kubectl").toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
        assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    private static Map<String, Object> kelp(String agentYml) throws Exception {
        Map<String, Object> root = YAML.readValue(agentYml, new TypeReference<>() { });
        return section(root, "kelp");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> section(Map<String, Object> map, String key) {
        return (Map<String, Object>) map.get(key);
    }

    private static void secret(String name, String... keys) {
        var b = new SecretBuilder().withNewMetadata().withName(name).withNamespace(NAMESPACE).endMetadata();
        for (String k : keys) {
            b.addToStringData(k, "value-of-" + k);
        }
        // Create or replace whole: a key this call does not list must go.
        client.secrets().inNamespace(NAMESPACE).resource(b.build()).createOr(io.fabric8.kubernetes.client.dsl.NonDeletingOperation::update);
    }

    private static StoragePolicy policy(String name, String secret) {
        var policy = Fixtures.valid("storagepolicy-minimal", StoragePolicy.class);
        policy.getMetadata().setName(name);
        policy.getMetadata().setNamespace(NAMESPACE);
        policy.getSpec().getSeaweedfs().setEndpoint("http://seaweedfs-s3.storage:8333");
        policy.getSpec().getSeaweedfs().setCredentialsSecret(secret);
        policy.getSpec().setBuckets(List.of("templates"));
        return policy;
    }

    private static TierRule tierRule(String name, String policy) {
        var rule = Fixtures.valid("tierrule-same-seaweedfs", TierRule.class);
        rule.getMetadata().setName(name);
        rule.getMetadata().setNamespace(NAMESPACE);
        rule.getSpec().setPolicyRef(new PolicyReference(policy));
        rule.getSpec().setColdAfter("720h");
        rule.getSpec().setExpireAfter(null);
        return rule;
    }

    private static BackupSchedule backupSchedule(String name, String policy, String cron) {
        var schedule = Fixtures.valid("backupschedule-complete", BackupSchedule.class);
        schedule.getMetadata().setName(name);
        schedule.getMetadata().setNamespace(NAMESPACE);
        schedule.getSpec().setPolicyRef(new PolicyReference(policy));
        schedule.getSpec().setSchedule(cron);
        schedule.getSpec().getTarget().setEndpoint(null);
        schedule.getSpec().getTarget().setRegion(null);
        schedule.getSpec().getTarget().setCredentialsSecret(null);
        return schedule;
    }
}
