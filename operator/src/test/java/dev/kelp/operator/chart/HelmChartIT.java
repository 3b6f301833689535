package dev.kelp.operator.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kelp.crds.v1alpha1.SeaweedfsSpec;
import dev.kelp.crds.v1alpha1.StoragePolicy;
import dev.kelp.crds.v1alpha1.StoragePolicySpec;
import dev.kelp.operator.KelpOperator;
import dev.kelp.operator.chart.KelpChart.ValuesFile;
import dev.kelp.operator.inject.AgentDefaults;
import dev.kelp.operator.inject.Injection;
import dev.kelp.operator.inject.InjectionSettings;
import dev.kelp.operator.inject.InjectionWebhookConfiguration;
import dev.kelp.operator.server.EndpointSettings;
import dev.kelp.operator.server.OperatorEndpoint;
import dev.kelp.testkit.ProvingGround;
import dev.kelp.testkit.TestCluster;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Helm chart, checked with the real {@code helm} binary: lint, the schema, what it renders
 * for the defaults and every {@code ci/} values file against what the operator's code expects
 * (its webhook configuration, the environment it reads), validation of every object by the
 * proving ground's real kube-apiserver, install, upgrade and uninstall there, and the
 * operator's own code run as the chart's ServiceAccount. No kubelet runs: the Deployment is
 * stored and never started; its RBAC is judged by the API server's authorizer.
 */
class HelmChartIT {

    private static final String NAMESPACE = "kelp-system";
    /** The environment variables the operator reads (EndpointSettings, InjectionSettings, OperatorSettings). */
    private static final Set<String> OPERATOR_ENV = Set.of(
        "KELP_OPERATOR_NAMESPACE", "KELP_OPERATOR_IDENTITY", "KELP_LEADER_ELECTION", "KELP_RESYNC_INTERVAL", "KELP_OPS_PORT",
        "KELP_REPORT_URL", "KELP_REPORT_CA_FILE",
        "KELP_WEBHOOK_SERVICE", "KELP_WEBHOOK_PORT", "KELP_WEBHOOK_CONFIGURATION", "KELP_WEBHOOK_TLS_SECRET", "KELP_WEBHOOK_CERT_DIR",
        "KELP_AGENT_IMAGE", "KELP_AGENT_RESOURCES", "KELP_MISSING_POLICY_ACTION");

    private static Helm helm;
    private static KubernetesClient client;

    @BeforeAll
    static void tools() {
        helm = Helm.fromProvingGround();
        client = TestCluster.client();
    }

    @AfterAll
    static void close() {
        client.close();
    }

    static List<ValuesFile> valuesFiles() {
        return KelpChart.valuesFiles();
    }

    /** values.yaml, values.schema.json and docs/helm.md's table list the same values. */
    @Test
    void everyValueIsTypedInTheSchemaAndInTheDocsTable() throws IOException {
        Map<?, ?> values = Serialization.unmarshal(Files.readString(KelpChart.dir().resolve("values.yaml")), Map.class);
        Map<?, ?> schema = Serialization.unmarshal(Files.readString(KelpChart.dir().resolve("values.schema.json")), Map.class);
        String docs = Files.readString(ProvingGround.repoRoot().resolve("docs/helm.md"));
        List<String> leaves = ValuesTree.leaves(values);
        assertThat(leaves).hasSizeGreaterThan(30);
        for (String leaf : leaves) {
            assertThat(ValuesTree.schemaOf(schema, leaf)).as("values.schema.json types " + leaf)
                .matches(n -> n.containsKey("type") || n.containsKey("enum"));
            assertThat(ValuesTree.selfAndAncestors(leaf)).as("docs/helm.md's values table lists " + leaf + " or a value that holds it")
                .anyMatch(key -> docs.contains("| `" + key + "` |"));
        }
    }

    @Test
    void theChartsCrdsAreTheGeneratedOnesByteForByte() throws IOException {
        Path generated = ProvingGround.repoRoot().resolve("crds/generated");
        Path chart = KelpChart.dir().resolve("crds");
        String refresh = "helm/kelp/crds is not a copy of crds/generated; refresh both from the model with\n"
            + "  mvn -B -o -pl crds process-test-classes -Pupdate-crds\n"
            + "(or copy them: cp crds/generated/*.yml helm/kelp/crds/)\n";
        assertThat(fileNames(chart)).as(refresh).isEqualTo(fileNames(generated));
        for (String name : fileNames(generated)) {
            assertThat(Files.readString(chart.resolve(name))).as(refresh + "(" + name + " differs)")
                .isEqualTo(Files.readString(generated.resolve(name)));
        }
    }

    /** What a chart repository would serve: the archive holds the CRDs, the schema and the notes. */
    @Test
    void packagesIntoAnArchiveWithTheCrdsTheSchemaAndTheNotes() throws Exception {
        Path out = Files.createTempDirectory("kelp-chart");
        Helm.Result pack = helm.run("package", KelpChart.dir().toString(), "--destination", out.toString());
        assertThat(pack.succeeded()).as(pack.toString()).isTrue();
        Path archive = out.resolve("kelp-0.1.0.tgz");
        assertThat(archive).exists();
        Process tar = new ProcessBuilder("tar", "-tzf", archive.toString()).redirectErrorStream(true).start();
        List<String> entries = new String(tar.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines().toList();
        assertThat(tar.waitFor()).isZero();
        assertThat(entries).contains("kelp/Chart.yaml", "kelp/values.yaml", "kelp/values.schema.json", "kelp/templates/NOTES.txt");
        assertThat(crdNames()).allSatisfy(crd -> assertThat(entries).contains("kelp/crds/" + crd + "-v1.yml"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valuesFiles")
    void lintIsCleanEvenStrict(ValuesFile values) {
        for (List<String> mode : List.of(List.<String>of(), List.of("--strict"))) {
            var args = new ArrayList<>(List.of("lint", KelpChart.dir().toString(), "--kube-version", KelpChart.KUBE_VERSION));
            args.addAll(mode);
            args.addAll(values.args());
            Helm.Result lint = helm.run(args);
            assertThat(lint.succeeded()).as(lint.toString()).isTrue();
            assertThat(lint.output()).as(lint.toString()).doesNotContain("[WARNING]", "[ERROR]").contains("0 chart(s) failed");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valuesFiles")
    void rendersObjectsThatParseAndLiveInTheReleaseNamespace(ValuesFile values) {
        Manifest manifest = render(values);
        assertThat(manifest.objects()).extracting(HasMetadata::getKind)
            .contains("ServiceAccount", "Deployment", "Service", "MutatingWebhookConfiguration", "ClusterRole", "ClusterRoleBinding");
        List<String> readerNamespaces = secretReaderNamespaces(values);
        for (HasMetadata o : manifest.objects()) {
            assertThat(o.getMetadata().getName()).as(Manifest.describe(o)).isNotBlank();
            assertThat(o.getMetadata().getLabels()).as(Manifest.describe(o))
                .containsEntry("app.kubernetes.io/name", "kelp").containsEntry("app.kubernetes.io/instance", "kelp")
                .containsEntry("app.kubernetes.io/managed-by", "Helm").containsKeys("helm.sh/chart", "app.kubernetes.io/version");
            if (o.getMetadata().getNamespace() != null && !NAMESPACE.equals(o.getMetadata().getNamespace())) {
                assertThat(readerNamespaces).as("only secret readers live outside the release namespace: " + Manifest.describe(o))
                    .contains(o.getMetadata().getNamespace());
            }
        }
    }

    /**
     * The real API server validates every rendered object (server-side dry run): field names,
     * enums, the webhook's CEL match conditions. cert-manager's kinds are not served here.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("valuesFiles")
    void theApiServerAcceptsEveryRenderedObject(ValuesFile values) {
        Manifest manifest = render(values);
        manifest.objects().stream().map(o -> o.getMetadata().getNamespace()).filter(java.util.Objects::nonNull).distinct()
            .forEach(ns -> TestCluster.createNamespace(client, ns));
        for (HasMetadata o : manifest.objects()) {
            if (o.getApiVersion().startsWith("cert-manager.io/")) {
                assertThat(values.name()).as("cert-manager objects only where cert-manager is asked for").startsWith("cert-manager");
                continue;
            }
            assertThat(client.resource(o).dryRun().create()).as("dry-run create of " + Manifest.describe(o)).isNotNull();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valuesFiles")
    void theWebhookConfigurationIsTheOperatorsOwnFieldForField(ValuesFile values) {
        Manifest manifest = render(values);
        Service service = manifest.one(Service.class);
        MutatingWebhookConfiguration rendered = manifest.one(MutatingWebhookConfiguration.class);
        var expected = InjectionWebhookConfiguration.forService(rendered.getMetadata().getName(), NAMESPACE,
            service.getMetadata().getName(), service.getSpec().getPorts().getFirst().getPort(), null,
            InjectionWebhookConfiguration.excluded(NAMESPACE));

        // YAML on both sides, so a difference reads as a diff of the two documents.
        assertThat(Serialization.asYaml(rendered.getWebhooks())).isEqualTo(Serialization.asYaml(expected.getWebhooks()));
        assertThat(rendered.getMetadata().getName()).isEqualTo(service.getMetadata().getName()).endsWith("-operator");
        // The labels differ on purpose: Helm manages this object, so managed-by says Helm.
        assertThat(rendered.getWebhooks()).allSatisfy(w -> assertThat(w.getClientConfig().getCaBundle()).isNull());
    }

    @Test
    void inKubeSystemOnlyKubeSystemIsExcluded() {
        Manifest manifest = render(ValuesFile.DEFAULTS, "kube-system");
        var rendered = manifest.one(MutatingWebhookConfiguration.class);
        var expected = InjectionWebhookConfiguration.forService("kelp-operator", "kube-system", "kelp-operator", 443, null,
            InjectionWebhookConfiguration.excluded("kube-system"));
        assertThat(Serialization.asYaml(rendered.getWebhooks())).isEqualTo(Serialization.asYaml(expected.getWebhooks()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valuesFiles")
    void theOperatorIsToldWhereItsObjectsAreInTheNamesItReads(ValuesFile values) {
        Manifest manifest = render(values);
        Container operator = operatorContainer(manifest);
        Map<String, String> env = literalEnv(operator);
        assertThat(operator.getEnv()).extracting(EnvVar::getName).doesNotHaveDuplicates().allMatch(OPERATOR_ENV::contains);
        assertThat(fieldRef(operator, "KELP_OPERATOR_NAMESPACE")).isEqualTo("metadata.namespace");

        EndpointSettings endpoint = EndpointSettings.fromEnv(env);
        Service service = manifest.one(Service.class);
        assertThat(endpoint.service()).isEqualTo(service.getMetadata().getName());
        assertThat(endpoint.webhookConfiguration()).isEqualTo(manifest.one(MutatingWebhookConfiguration.class).getMetadata().getName());
        String targetPort = service.getSpec().getPorts().getFirst().getTargetPort().getStrVal();
        assertThat(operator.getPorts()).filteredOn(p -> p.getName().equals(targetPort)).singleElement()
            .satisfies(p -> assertThat(p.getContainerPort()).isEqualTo(endpoint.port()));

        if (endpoint.certDir().isPresent()) {
            assertCertManagerWiring(manifest, endpoint);
        } else {
            // The one Secret the Role lets the operator read and renew is the one it is told to use.
            Role role = manifest.named(Role.class, service.getMetadata().getName());
            assertThat(role.getRules()).filteredOn(r -> r.getResources().contains("secrets") && r.getVerbs().contains("get"))
                .singleElement().satisfies(r -> assertThat(r.getResourceNames()).containsExactly(endpoint.tlsSecret()));
            assertThat(manifest.ofKind("Certificate")).isEmpty();
            assertThat(env).doesNotContainKeys("KELP_REPORT_URL", "KELP_REPORT_CA_FILE");
        }

        InjectionSettings injection = InjectionSettings.fromEnv(env);
        assertThat(injection.agentImage()).isEqualTo("ghcr.io/kelp-dev/kelp-agent:0.1.0");
        ResourceRequirements agentResources = Serialization.unmarshal(env.get("KELP_AGENT_RESOURCES"), ResourceRequirements.class);
        if (values == ValuesFile.DEFAULTS) {
            assertThat(agentResources).isEqualTo(AgentDefaults.DEFAULT_RESOURCES);
        }
        assertThat(agentResources.getLimits()).containsKey("memory");
        assertThat(operator.getPorts()).filteredOn(p -> p.getName().equals("ops")).singleElement()
            .satisfies(p -> assertThat(p.getContainerPort()).hasToString(env.get("KELP_OPS_PORT")));
        if ("false".equals(env.get("KELP_LEADER_ELECTION"))) {
            assertThat(manifest.one(Deployment.class).getSpec().getReplicas()).isEqualTo(1);
            assertThat(manifest.all(Role.class)).flatExtracting(Role::getRules).noneMatch(r -> r.getResources().contains("leases"));
        } else {
            assertThat(env).containsEntry("KELP_LEADER_ELECTION", "true");
            assertThat(manifest.named(Role.class, service.getMetadata().getName()).getRules())
                .anySatisfy(r -> assertThat(r.getResourceNames()).containsExactly("kelp-operator"));
        }
    }

    @Test
    void theOperatorRunsAsNonRootOnAReadOnlyRootWithNoCapabilitiesAndIsProbedOnItsOpsPort() {
        Deployment deployment = render(ValuesFile.DEFAULTS).one(Deployment.class);
        var pod = deployment.getSpec().getTemplate().getSpec();
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(65532L);
        assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        Container operator = pod.getContainers().getFirst();
        var security = operator.getSecurityContext();
        assertThat(security.getRunAsNonRoot()).isTrue();
        assertThat(security.getRunAsUser()).isEqualTo(65532L);
        assertThat(security.getReadOnlyRootFilesystem()).isTrue();
        assertThat(security.getAllowPrivilegeEscalation()).isFalse();
        assertThat(security.getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(security.getCapabilities().getAdd()).isNullOrEmpty();
        assertThat(security.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(operator.getVolumeMounts()).anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/tmp"));
        assertThat(operator.getResources().getLimits()).containsKey("memory");

        int opsPort = Integer.parseInt(literalEnv(operator).get("KELP_OPS_PORT"));
        assertThat(operator.getPorts()).anySatisfy(p -> {
            assertThat(p.getName()).isEqualTo("ops");
            assertThat(p.getContainerPort()).isEqualTo(opsPort);
        });
        assertThat(operator.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
        assertThat(operator.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
        assertThat(operator.getStartupProbe().getHttpGet().getPath()).isEqualTo("/healthz");
        assertThat(List.of(operator.getLivenessProbe(), operator.getReadinessProbe(), operator.getStartupProbe()))
            .allSatisfy(p -> assertThat(p.getHttpGet().getPort().getStrVal()).isEqualTo("ops"));
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(1);
    }

    @Test
    void withoutRbacOrServiceAccountTheChartRendersNeitherAndUsesTheNamedAccount() {
        Manifest manifest = render(ValuesFile.DEFAULTS, NAMESPACE, "--set", "rbac.create=false",
            "--set", "serviceAccount.create=false", "--set", "serviceAccount.name=platform-kelp");
        assertThat(manifest.objects()).extracting(HasMetadata::getKind)
            .doesNotContain("ServiceAccount", "Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding");
        assertThat(manifest.one(Deployment.class).getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo("platform-kelp");

        Helm.Result unnamed = helm.run(template(ValuesFile.DEFAULTS, NAMESPACE, "--set", "serviceAccount.create=false"));
        assertThat(unnamed.succeeded()).as(unnamed.toString()).isFalse();
        assertThat(unnamed.output()).contains("serviceAccount.name is required when serviceAccount.create is false");
    }

    @Test
    void severalReplicasNeedTheLease() {
        Helm.Result ha = helm.run(template(ValuesFile.DEFAULTS, NAMESPACE, "--set", "operator.replicas=2", "--set", "operator.leaderElection.enabled=false"));
        assertThat(ha.succeeded()).as(ha.toString()).isFalse();
        assertThat(ha.output()).contains("operator.replicas > 1 needs operator.leaderElection.enabled");
    }

    @Test
    void aMisspeltOrMistypedValueIsRejectedByTheSchemaNamingIt() {
        Helm.Result typo = helm.run(template(ValuesFile.DEFAULTS, NAMESPACE, "--set", "operator.replica=2"));
        assertThat(typo.succeeded()).as(typo.toString()).isFalse();
        assertThat(typo.output()).contains("values don't meet the specifications of the schema", "/operator", "additional properties 'replica' not allowed");

        Helm.Result nested = helm.run(template(ValuesFile.DEFAULTS, NAMESPACE, "--set", "rbac.secretReaders.namespace=shop"));
        assertThat(nested.output()).as(nested.toString()).contains("/rbac/secretReaders", "additional properties 'namespace' not allowed");

        Helm.Result type = helm.run(template(ValuesFile.DEFAULTS, NAMESPACE, "--set-string", "operator.replicas=two"));
        assertThat(type.output()).as(type.toString()).contains("/operator/replicas", "integer");

        Helm.Result choice = helm.run(template(ValuesFile.DEFAULTS, NAMESPACE, "--set", "operator.missingPolicyAction=Drop"));
        assertThat(choice.output()).as(choice.toString()).contains("/operator/missingPolicyAction", "Reject", "Admit");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valuesFiles")
    void noRoleGrantsListOrWatchOnSecrets(ValuesFile values) {
        Manifest manifest = render(values);
        var rules = new LinkedHashMap<String, List<PolicyRule>>();
        manifest.all(Role.class).forEach(r -> rules.put(Manifest.describe(r), r.getRules()));
        manifest.all(ClusterRole.class).forEach(r -> rules.put(Manifest.describe(r), r.getRules()));
        assertThat(rules).isNotEmpty();
        rules.forEach((role, list) -> list.stream().filter(HelmChartIT::coversSecrets).forEach(rule -> {
            assertThat(rule.getVerbs()).as(role + " on secrets").doesNotContain("list", "watch", "*", "deletecollection", "delete");
            if (role.startsWith("ClusterRole")) {
                assertThat(rule.getVerbs()).as(role + ": cluster-wide, only get").containsExactly("get");
            }
        }));
    }

    @Test
    void secretReadersAreOneGetRolePerListedNamespaceOrOneGetOnlyClusterRole() {
        Manifest defaults = render(ValuesFile.DEFAULTS);
        assertThat(defaults.all(ClusterRole.class)).noneMatch(r -> r.getRules().stream().anyMatch(HelmChartIT::coversSecrets));
        assertThat(defaults.all(Role.class)).extracting(r -> r.getMetadata().getNamespace()).containsOnly(NAMESPACE);

        Manifest namespaced = render(ValuesFile.DEFAULTS, NAMESPACE, "--set", "rbac.secretReaders.namespaces={shop,billing}");
        List<Role> readers = namespaced.all(Role.class).stream().filter(r -> r.getMetadata().getName().endsWith("-secret-reader")).toList();
        assertThat(readers).extracting(r -> r.getMetadata().getNamespace()).containsExactlyInAnyOrder("shop", "billing");
        assertThat(readers).allSatisfy(r -> assertThat(r.getRules()).singleElement().satisfies(rule -> {
            assertThat(rule.getResources()).containsExactly("secrets");
            assertThat(rule.getVerbs()).containsExactly("get");
        }));
        assertThat(namespaced.ofKind("RoleBinding")).extracting(o -> o.getMetadata().getNamespace()).contains("shop", "billing");

        Manifest clusterWide = render(ValuesFile.DEFAULTS, NAMESPACE, "--set", "rbac.secretReaders.clusterWide=true");
        ClusterRole reader = clusterWide.named(ClusterRole.class, "kelp-operator-secret-reader");
        assertThat(reader.getRules()).singleElement().satisfies(rule -> {
            assertThat(rule.getResources()).containsExactly("secrets");
            assertThat(rule.getVerbs()).containsExactly("get");
        });
    }

    /**
     * helm install on the real API server, the authorizer's answers for the operator's service
     * account, a helm upgrade that keeps the caBundle the operator patched in, then helm
     * uninstall: every object the chart made is gone, the CRDs stay.
     */
    @Test
    void installGrantsWhatTheOperatorNeedsUpgradeKeepsTheCaBundleAndUninstallLeavesOnlyTheCrds() {
        try (Release release = Release.fresh(helm, "kelp-chart")) {
            String namespace = release.namespace;
            String shop = namespace + "-shop";
            String other = namespace + "-other";
            for (String ns : List.of(namespace, shop, other)) {
                TestCluster.createNamespace(client, ns);
            }
            String readers = "rbac.secretReaders.namespaces={" + shop + "}";

            // The schema guards helm install too: nothing is installed.
            Helm.Result typo = release.install("--set", readers, "--set", "operator.replica=2");
            assertThat(typo.succeeded()).as(typo.toString()).isFalse();
            assertThat(typo.output()).contains("additional properties 'replica' not allowed");
            assertThat(release.installed()).isFalse();

            Helm.Result install = release.install("--set", readers);
            assertThat(install.succeeded()).as(install.toString()).isTrue();
            String operator = release.operator();
            assertThat(install.output()).contains("STATUS: deployed", "kubectl -n " + namespace + " rollout status deployment/" + operator);

            Manifest installed = release.manifest();
            assertThat(installed.objects()).extracting(HasMetadata::getKind).containsExactlyInAnyOrder(
                "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "Role", "RoleBinding",
                "Service", "Deployment", "MutatingWebhookConfiguration");
            for (HasMetadata o : installed.objects()) {
                assertThat(client.resource(o).get()).as("installed: " + Manifest.describe(o)).isNotNull();
            }
            List<String> crds = crdNames();
            assertThat(crds).allSatisfy(name ->
                assertThat(client.apiextensions().v1().customResourceDefinitions().withName(name).get()).as("CRD " + name).isNotNull());

            var sa = new AccessReview(client, namespace, operator);
            assertThat(sa.allowed("get", "", "secrets", shop, "any-credentials")).isTrue();
            assertThat(sa.allowed("list", "", "secrets", shop, null)).isFalse();
            assertThat(sa.allowed("watch", "", "secrets", shop, null)).isFalse();
            assertThat(sa.allowed("get", "", "secrets", other, "any-credentials")).as("a namespace not listed").isFalse();
            assertThat(sa.allowed("list", "", "secrets", null, null)).isFalse();
            assertThat(sa.allowed("create", "", "secrets", namespace, null)).isTrue();
            assertThat(sa.allowed("update", "", "secrets", namespace, operator + "-webhook-tls")).isTrue();
            assertThat(sa.allowed("get", "", "secrets", namespace, "someone-elses")).isFalse();
            assertThat(sa.allowed("patch", "admissionregistration.k8s.io", "mutatingwebhookconfigurations", null, operator)).isTrue();
            assertThat(sa.allowed("patch", "admissionregistration.k8s.io", "mutatingwebhookconfigurations", null, "another-webhook")).isFalse();
            for (String verb : List.of("get", "update", "patch")) {
                assertThat(sa.allowed(verb, "coordination.k8s.io", "leases", namespace, "kelp-operator")).as(verb + " lease").isTrue();
            }
            assertThat(sa.allowed("create", "coordination.k8s.io", "leases", namespace, null)).isTrue();
            assertThat(sa.allowed("patch", "kelp.dev", "storagepolicies/status", other, "p")).isTrue();
            assertThat(sa.allowed("watch", "", "pods", null, null)).isTrue();
            assertThat(sa.allowed("create", "", "pods", other, null)).isFalse();

            // The operator puts its CA into the caBundle (CaBundlePatcher); an upgrade must keep it.
            String caBundle = java.util.Base64.getEncoder().encodeToString("-----BEGIN CERTIFICATE-----\nstand-in\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            var webhooks = client.admissionRegistration().v1().mutatingWebhookConfigurations().withName(operator);
            webhooks.edit(c -> {
                c.getWebhooks().forEach(w -> w.getClientConfig().setCaBundle(caBundle));
                return c;
            });
            Helm.Result upgrade = release.upgrade("--reuse-values", "--set", "operator.replicas=2", "--set", "operator.podDisruptionBudget.enabled=true");
            assertThat(upgrade.succeeded()).as(upgrade.toString()).isTrue();
            assertThat(client.apps().deployments().inNamespace(namespace).withName(operator).get().getSpec().getReplicas()).isEqualTo(2);
            assertThat(webhooks.get().getWebhooks()).allSatisfy(w -> assertThat(w.getClientConfig().getCaBundle()).isEqualTo(caBundle));
            Manifest manifest = release.manifest();
            assertThat(manifest.objects()).extracting(HasMetadata::getKind).contains("PodDisruptionBudget");

            Helm.Result uninstall = release.uninstall();
            assertThat(uninstall.succeeded()).as(uninstall.toString()).isTrue();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                for (HasMetadata o : manifest.objects()) {
                    assertThat(client.resource(o).get()).as("left after uninstall: " + Manifest.describe(o)).isNull();
                }
            });
            assertThat(release.installed()).isFalse();
            // Helm's crds/ convention: CRDs are installed once and never deleted, so the custom
            // resources (and the data they describe) survive an uninstall; docs/helm.md says how to remove them.
            assertThat(crds).allSatisfy(name ->
                assertThat(client.apiextensions().v1().customResourceDefinitions().withName(name).get()).as("CRD kept: " + name).isNotNull());

            for (String ns : List.of(namespace, shop, other)) {
                client.namespaces().withName(ns).delete();
            }
        }
    }

    /**
     * The operator's own code, run as the chart's ServiceAccount (by impersonation), works with
     * exactly the RBAC the chart installed: the injection caches sync cluster-wide, the
     * self-managed certificate is created and its CA patched into the chart's webhook
     * configuration, JOSDK's leader election passes its permission check and takes the Lease,
     * and the reconciler reads a policy's Secret in a listed namespace and writes its status.
     */
    @Test
    void theOperatorsOwnCodeRunsOnTheChartsRbacAsItsServiceAccount() throws Exception {
        try (Release release = Release.fresh(helm, "kelp-run")) {
            String namespace = release.namespace;
            String shop = namespace + "-shop";
            for (String ns : List.of(namespace, shop)) {
                TestCluster.createNamespace(client, ns);
            }
            Helm.Result install = release.install("--set", "rbac.secretReaders.namespaces={" + shop + "}");
            assertThat(install.succeeded()).as(install.toString()).isTrue();
            Manifest manifest = release.manifest();
            String operator = release.operator();

            // The Deployment's environment as the kubelet would give it, on a free port.
            var env = new LinkedHashMap<>(literalEnv(operatorContainer(manifest)));
            env.put("KELP_OPERATOR_NAMESPACE", namespace);
            env.put("KELP_WEBHOOK_PORT", "0");
            EndpointSettings settings = EndpointSettings.fromEnv(env);

            var closing = new ArrayList<AutoCloseable>();
            try (KubernetesClient asOperator = ServiceAccountClient.of(namespace, operator)) {
                closing.add(Injection.start(asOperator, InjectionSettings.fromEnv(env), (ns, policy) -> { }));
                OperatorEndpoint endpoint = OperatorEndpoint.create(asOperator, settings);
                closing.add(endpoint);
                String caBundle = java.util.Base64.getEncoder().encodeToString(endpoint.caPem().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                assertThat(client.admissionRegistration().v1().mutatingWebhookConfigurations().withName(operator).get().getWebhooks())
                    .allSatisfy(w -> assertThat(w.getClientConfig().getCaBundle()).isEqualTo(caBundle));
                assertThat(client.secrets().inNamespace(namespace).withName(settings.tlsSecret()).get()).isNotNull();

                Operator leaderElected = new Operator(o -> o.withKubernetesClient(asOperator).withCloseClientOnStop(false)
                    .withLeaderElectionConfiguration(LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration("kelp-operator")
                        .withLeaseNamespace(namespace).withIdentity(operator + "-0")
                        // JOSDK exits the JVM when a leader stops leading; the test stops it on purpose.
                        .withExitOnStopLeading(false).build()));
                leaderElected.register(new LeaseHolder());
                closing.add(leaderElected::stop);
                leaderElected.start();
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                    client.leases().inNamespace(namespace).withName("kelp-operator").get()).isNotNull()
                    .satisfies(l -> assertThat(l.getSpec().getHolderIdentity()).isEqualTo(operator + "-0")));

                Operator reconcilers = KelpOperator.create(asOperator);
                closing.add(reconcilers::stop);
                reconcilers.start();
                client.secrets().inNamespace(shop).resource(new SecretBuilder().withNewMetadata().withName("s3-creds").endMetadata()
                    .addToStringData("accessKey", "a").addToStringData("secretKey", "b").build()).create();
                client.resource(policy(shop, "templates", "s3-creds")).create();
                var policies = client.resources(StoragePolicy.class).inNamespace(shop);
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(policies.withName("templates").get().getStatus())
                    .isNotNull().satisfies(status -> assertThat(status.getConditions())
                        .anySatisfy(c -> assertThat(c.getType() + "=" + c.getStatus()).isEqualTo("Ready=True"))));
                // Deleted while the operator runs, so its finalizer (if any) is honoured.
                policies.withName("templates").delete();
                await().atMost(Duration.ofSeconds(30)).until(() -> policies.withName("templates").get() == null);
            } finally {
                for (AutoCloseable c : closing.reversed()) {
                    c.close();
                }
            }

            Helm.Result uninstall = release.uninstall();
            assertThat(uninstall.succeeded()).as(uninstall.toString()).isTrue();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(manifest.objects())
                .allSatisfy(o -> assertThat(client.resource(o).get()).as("left after uninstall: " + Manifest.describe(o)).isNull()));
            // What the operator made itself stays, as docs/helm.md says under Uninstall.
            assertThat(client.secrets().inNamespace(namespace).withName(settings.tlsSecret()).get()).isNotNull();
            assertThat(client.leases().inNamespace(namespace).withName("kelp-operator").get()).isNotNull();
            for (String ns : List.of(namespace, shop)) {
                client.namespaces().withName(ns).delete();
            }
        }
    }

    /** Does nothing: it gives JOSDK's leader election a controller to start once the Lease is won. */
    @ControllerConfiguration(name = "lease-holder")
    static final class LeaseHolder implements Reconciler<StoragePolicy> {
        @Override
        public UpdateControl<StoragePolicy> reconcile(StoragePolicy policy, Context<StoragePolicy> context) {
            return UpdateControl.noUpdate();
        }
    }

    private static StoragePolicy policy(String namespace, String name, String credentials) {
        var seaweedfs = new SeaweedfsSpec();
        seaweedfs.setEndpoint("http://seaweedfs-s3.storage:8333");
        seaweedfs.setCredentialsSecret(credentials);
        var spec = new StoragePolicySpec();
        spec.setSeaweedfs(seaweedfs);
        spec.setBuckets(List.of("templates"));
        var policy = new StoragePolicy();
        policy.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
        policy.setSpec(spec);
        return policy;
    }

    private static void assertCertManagerWiring(Manifest manifest, EndpointSettings endpoint) {
        String certDir = endpoint.certDir().orElseThrow().toString();
        Container operator = operatorContainer(manifest);
        var pod = manifest.one(Deployment.class).getSpec().getTemplate().getSpec();
        var mount = operator.getVolumeMounts().stream().filter(m -> m.getMountPath().equals(certDir)).findFirst().orElseThrow();
        String secret = pod.getVolumes().stream().filter(v -> v.getName().equals(mount.getName())).findFirst().orElseThrow()
            .getSecret().getSecretName();

        HasMetadata certificate = manifest.ofKind("Certificate").stream()
            .filter(c -> secret.equals(spec(c).get("secretName"))).findFirst()
            .orElseThrow(() -> new AssertionError("no Certificate writes the mounted Secret " + secret));
        String service = manifest.one(Service.class).getMetadata().getName();
        assertThat(((List<?>) spec(certificate).get("dnsNames")).stream().map(String::valueOf).toList()).contains(service + "." + NAMESPACE + ".svc", service + "." + NAMESPACE + ".svc.cluster.local");
        assertThat(manifest.one(MutatingWebhookConfiguration.class).getMetadata().getAnnotations())
            .containsEntry("cert-manager.io/inject-ca-from", NAMESPACE + "/" + certificate.getMetadata().getName());

        Map<String, String> env = literalEnv(operator);
        assertThat(env).containsEntry("KELP_REPORT_CA_FILE", certDir + "/ca.crt")
            .containsEntry("KELP_REPORT_URL", "https://" + service + "." + NAMESPACE + ".svc:"
                + manifest.one(Service.class).getSpec().getPorts().getFirst().getPort() + "/v1/reports")
            .doesNotContainKey("KELP_WEBHOOK_TLS_SECRET");
        // cert-manager keeps the certificate: the operator needs no Secret of its own.
        assertThat(manifest.all(Role.class)).flatExtracting(Role::getRules).noneMatch(HelmChartIT::coversSecrets);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> spec(HasMetadata resource) {
        return (Map<String, Object>) ((io.fabric8.kubernetes.api.model.GenericKubernetesResource) resource).getAdditionalProperties().get("spec");
    }

    private static boolean coversSecrets(PolicyRule rule) {
        boolean coreGroup = rule.getApiGroups().contains("") || rule.getApiGroups().contains("*");
        return coreGroup && (rule.getResources().contains("secrets") || rule.getResources().contains("*"));
    }

    private static Manifest render(ValuesFile values, String namespace, String... extra) {
        Helm.Result result = helm.run(template(values, namespace, extra));
        assertThat(result.succeeded()).as(result.toString()).isTrue();
        return Manifest.parse(result.output());
    }

    private static Manifest render(ValuesFile values) {
        return render(values, NAMESPACE);
    }

    private static List<String> template(ValuesFile values, String namespace, String... extra) {
        var args = new ArrayList<>(List.of("template", "kelp", KelpChart.dir().toString(), "--namespace", namespace,
            "--kube-version", KelpChart.KUBE_VERSION));
        args.addAll(values.args());
        args.addAll(List.of(extra));
        return args;
    }

    private static Container operatorContainer(Manifest manifest) {
        return manifest.one(Deployment.class).getSpec().getTemplate().getSpec().getContainers().getFirst();
    }

    private static Map<String, String> literalEnv(Container container) {
        return container.getEnv().stream().filter(e -> e.getValue() != null)
            .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
    }

    private static String fieldRef(Container container, String name) {
        return container.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst().orElseThrow()
            .getValueFrom().getFieldRef().getFieldPath();
    }

    private static List<String> secretReaderNamespaces(ValuesFile values) {
        if (values.path() == null) {
            return List.of();
        }
        try {
            Map<?, ?> yaml = Serialization.unmarshal(Files.readString(values.path()), Map.class);
            Object rbac = yaml == null ? null : yaml.get("rbac");
            Object readers = rbac instanceof Map<?, ?> r ? r.get("secretReaders") : null;
            Object namespaces = readers instanceof Map<?, ?> s ? s.get("namespaces") : null;
            return namespaces instanceof List<?> l ? l.stream().map(String::valueOf).toList() : List.of();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The CRDs the chart ships, by name (from their files, which the byte-for-byte test ties to the generated ones). */
    private static List<String> crdNames() {
        try (Stream<Path> files = Files.list(KelpChart.dir().resolve("crds"))) {
            return files.map(p -> p.getFileName().toString().replaceFirst("-v1\\.yml$", "")).sorted().toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<String> fileNames(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
