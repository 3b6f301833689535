package dev.kelp.crds;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kelp.crds.v1alpha1.AgentCounts;
import dev.kelp.crds.v1alpha1.AgentMode;
import dev.kelp.crds.v1alpha1.BackupPhase;
import dev.kelp.crds.v1alpha1.BackupRun;
import dev.kelp.crds.v1alpha1.BackupSchedule;
import dev.kelp.crds.v1alpha1.BackupScheduleStatus;
import dev.kelp.crds.v1alpha1.PendingSync;
import dev.kelp.crds.v1alpha1.StoragePolicy;
import dev.kelp.crds.v1alpha1.StoragePolicyStatus;
import dev.kelp.crds.v1alpha1.TierRule;
import dev.kelp.crds.v1alpha1.TierRuleStatus;
import dev.kelp.testkit.ProvingGround;
import dev.kelp.testkit.TestCluster;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a platform team sees: each kind with a status as the operator will write it, stored
 * through the status subresource of the real kube-apiserver and listed by the real kubectl.
 */
class PrinterColumnsIT {

    private static final String NAMESPACE = "kelp-crds-columns";
    private static final KubernetesSerialization YAML = new KubernetesSerialization();
    /** How kubectl shows a time a few seconds back; each test takes well under a minute. */
    private static final String SECONDS_AGO = "\\d+s";
    private static final String NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    private static KubernetesClient client;

    @BeforeAll
    static void installCrds() {
        client = TestCluster.client();
        for (var kind : PrintCrds.KINDS) {
            TestCluster.installCrd(client, GeneratedCrds.yaml(kind));
        }
        TestCluster.createNamespace(client, NAMESPACE);
    }

    @AfterAll
    static void close() {
        if (client != null) {
            for (var kind : PrintCrds.KINDS) {
                client.resources(kind).inNamespace(NAMESPACE).delete();
            }
            client.close();
        }
    }

    @Test
    void kubectlGetStoragePoliciesShowsModeAgentsAndPending() throws Exception {
        var policy = fixture("storagepolicy-complete.yaml", StoragePolicy.class);
        var status = new StoragePolicyStatus();
        status.setObservedGeneration(1L);
        status.setConditions(List.of(new ConditionBuilder().withType("Ready").withStatus("True").withReason("Configured")
            .withMessage("3 of 4 agents ready").withObservedGeneration(1L).withLastTransitionTime(NOW).build()));
        status.setAgents(counts(4, 3, 2, 1, 0));
        status.setAgentsDisplay("3/4");
        status.setMode(AgentMode.FALLBACK);
        var pending = new PendingSync();
        pending.setObjects(12L);
        pending.setBytes(4096L);
        pending.setOldestAgeSeconds(95L);
        status.setPending(pending);
        policy.setStatus(status);

        var stored = createWithStatus(policy);

        assertThat(YAML.asJson(stored.getStatus())).isEqualTo(YAML.asJson(status));
        var row = kubectlGet("sp", "complete");
        assertThat(row.keySet()).containsExactly("NAME", "MODE", "AGENTS", "PENDING", "AGE");
        assertThat(row).containsEntry("MODE", "FALLBACK").containsEntry("AGENTS", "3/4").containsEntry("PENDING", "12");
        assertThat(row.get("AGE")).matches(SECONDS_AGO);
        assertThat(kubectlGet("sp", "complete", "-o", "wide")).containsEntry("PENDING BYTES", "4096");
    }

    @Test
    void kubectlGetTierRulesShowsPolicyLastRunAndMoved() throws Exception {
        var rule = fixture("tierrule-complete.yaml", TierRule.class);
        var status = new TierRuleStatus();
        status.setObservedGeneration(1L);
        status.setLastRun(NOW);
        status.setObjectsMoved(250L);
        status.setBytesMoved(1L << 30);
        status.setBytesPerTier(Map.of("hot", 5L << 30, "cold", 1L << 30));
        rule.setStatus(status);

        var stored = createWithStatus(rule);

        assertThat(stored.getStatus().getBytesPerTier()).containsEntry("cold", 1L << 30);
        var row = kubectlGet("tr", "invoices-to-cold");
        assertThat(row.keySet()).containsExactly("NAME", "POLICY", "LAST RUN", "MOVED", "AGE");
        assertThat(row).containsEntry("POLICY", "complete").containsEntry("MOVED", "250");
        assertThat(row.get("LAST RUN")).matches(SECONDS_AGO);
        assertThat(kubectlGet("tr", "invoices-to-cold", "-o", "wide")).containsEntry("COLD AFTER", "720h");
    }

    @Test
    void kubectlGetBackupSchedulesShowsScheduleLastBackupAndPhase() throws Exception {
        var schedule = fixture("backupschedule-complete.yaml", BackupSchedule.class);
        var run = new BackupRun();
        run.setPhase(BackupPhase.SUCCEEDED);
        run.setStartTime(NOW);
        run.setCompletionTime(NOW);
        run.setObjects(1200L);
        run.setBytes(3L << 30);
        run.setVerified(true);
        var status = new BackupScheduleStatus();
        status.setObservedGeneration(1L);
        status.setLastBackup(run);
        status.setPhase(BackupPhase.SUCCEEDED);
        status.setLastBackupTime(NOW);
        status.setNextRun(Instant.parse(NOW).plus(1, ChronoUnit.DAYS).toString());
        status.setHistory(List.of(run));
        schedule.setStatus(status);

        var stored = createWithStatus(schedule);

        assertThat(stored.getStatus().getHistory()).singleElement().extracting(BackupRun::getPhase).isEqualTo(BackupPhase.SUCCEEDED);
        var row = kubectlGet("bs", "nightly");
        assertThat(row.keySet()).containsExactly("NAME", "SCHEDULE", "LAST BACKUP", "PHASE", "AGE");
        assertThat(row).containsEntry("SCHEDULE", "0 3 * * *").containsEntry("PHASE", "Succeeded");
        assertThat(row.get("LAST BACKUP")).matches(SECONDS_AGO);
        assertThat(kubectlGet("bs", "nightly", "-o", "wide")).containsEntry("SUSPEND", "false");
    }

    private static AgentCounts counts(int total, int ready, int full, int fallback, int localOnly) {
        var counts = new AgentCounts();
        counts.setTotal(total);
        counts.setReady(ready);
        counts.setFull(full);
        counts.setFallback(fallback);
        counts.setLocalOnly(localOnly);
        return counts;
    }

    private static <T extends CustomResource<?, ?>> T fixture(String name, Class<T> kind) {
        var fixture = Fixture.in("valid").stream().filter(f -> f.name().endsWith(name)).findFirst().orElseThrow();
        return YAML.unmarshal(fixture.yaml(), kind);
    }

    /** Creates the resource, then writes its status through the status subresource as the operator does. */
    @SuppressWarnings("unchecked")
    private static <T extends CustomResource<?, ?>> T createWithStatus(T resource) {
        var resources = client.resources((Class<T>) resource.getClass()).inNamespace(NAMESPACE);
        resources.withName(resource.getMetadata().getName()).delete();
        resources.withName(resource.getMetadata().getName()).waitUntilCondition(r -> r == null, 10, TimeUnit.SECONDS);
        var created = resources.resource(resource).create();
        resource.getMetadata().setResourceVersion(created.getMetadata().getResourceVersion());
        return resources.resource(resource).updateStatus();
    }

    /** Runs the proving ground's kubectl and returns its one row keyed by column header. */
    private static Map<String, String> kubectlGet(String resource, String name, String... flags) throws IOException, InterruptedException {
        var command = new ArrayList<>(List.of(
            Path.of(ProvingGround.require("KELP_KUBE_BIN"), "kubectl").toString(), "get", resource, name, "-n", NAMESPACE));
        command.addAll(Arrays.asList(flags));
        var process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        return row(output);
    }

    /** kubectl's table: a header, then one row whose cells start where their header starts. */
    static Map<String, String> row(String table) {
        List<String> lines = table.lines().filter(l -> !l.isBlank()).toList();
        assertThat(lines).as(table).hasSize(2);
        String header = lines.get(0);
        String row = lines.get(1);
        var columns = new ArrayList<String>();
        var starts = new ArrayList<Integer>();
        var matcher = java.util.regex.Pattern.compile("\\S+( \\S+)*").matcher(header);
        while (matcher.find()) {
            columns.add(matcher.group());
            starts.add(matcher.start());
        }
        var cells = new LinkedHashMap<String, String>();
        for (int i = 0; i < columns.size(); i++) {
            int end = i + 1 < starts.size() ? Math.min(starts.get(i + 1), row.length()) : row.length();
            cells.put(columns.get(i), row.substring(Math.min(starts.get(i), row.length()), end).trim());
        }
        return cells;
    }
}
