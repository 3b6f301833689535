package dev.kelp.operator.inject;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.zjsonpatch.JsonPatch;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PodPatchTest {

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Container AGENT = new ContainerBuilder().withName("kelp-agent").withImage("agent").withRestartPolicy("Always").build();
    private static final List<Volume> VOLUMES = List.of(
        new VolumeBuilder().withName("kelp-config").withNewConfigMap().withName("kelp-agent-p").endConfigMap().build(),
        new VolumeBuilder().withName("kelp-fallback").withNewEmptyDir().endEmptyDir().build());

    @Test
    void theAgentGoesBeforeTheAppsInitContainersAndItsVolumesAfterTheApps() throws Exception {
        Pod pod = bare().editSpec()
            .addNewInitContainer().withName("migrate").withImage("m").endInitContainer()
            .addNewVolume().withName("data").withNewEmptyDir().endEmptyDir().endVolume()
            .endSpec().build();

        Pod patched = apply(pod);

        assertThat(patched.getSpec().getInitContainers()).extracting(Container::getName).containsExactly("kelp-agent", "migrate");
        assertThat(patched.getSpec().getVolumes()).extracting(Volume::getName).containsExactly("data", "kelp-config", "kelp-fallback");
        assertThat(patched.getSpec().getContainers()).isEqualTo(pod.getSpec().getContainers());
    }

    @Test
    void aPodWithNoInitContainersVolumesLabelsOrAnnotationsGetsThemCreated() throws Exception {
        Pod patched = apply(bare().build());

        assertThat(patched.getSpec().getInitContainers()).containsExactly(AGENT);
        assertThat(patched.getSpec().getVolumes()).containsExactlyElementsOf(VOLUMES);
        assertThat(patched.getMetadata().getLabels()).containsExactly(Map.entry("kelp.dev/policy", "p"));
        assertThat(patched.getMetadata().getAnnotations()).containsExactly(Map.entry("kelp.dev/injected", "h"));
    }

    @Test
    void existingLabelsAndAnnotationsStayAndKeysWithSlashesAreEscaped() throws Exception {
        Pod pod = bare().editMetadata().addToLabels("app", "web").addToAnnotations("kelp.dev/policy", "p").endMetadata().build();

        Pod patched = apply(pod);

        assertThat(patched.getMetadata().getLabels()).containsOnly(Map.entry("app", "web"), Map.entry("kelp.dev/policy", "p"));
        assertThat(patched.getMetadata().getAnnotations()).containsOnly(Map.entry("kelp.dev/policy", "p"), Map.entry("kelp.dev/injected", "h"));
        assertThat(PodPatch.escape("a/b~c")).isEqualTo("a~1b~0c");
    }

    @Test
    void theDrainIsAddedToThePodsGracePeriodOrToTheDefault() throws Exception {
        assertThat(apply(bare().build()).getSpec().getTerminationGracePeriodSeconds()).isEqualTo(30L + 15L);
        assertThat(apply(bare().editSpec().withTerminationGracePeriodSeconds(100L).endSpec().build()).getSpec().getTerminationGracePeriodSeconds())
            .isEqualTo(115L);
    }

    private static Pod apply(Pod pod) throws Exception {
        var patch = PodPatch.of(pod, AGENT, VOLUMES, Map.of("kelp.dev/policy", "p"), Map.of("kelp.dev/injected", "h"), Duration.ofSeconds(15));
        var result = JsonPatch.apply(patch, JSON.readTree(SERIALIZATION.asJson(pod)));
        return SERIALIZATION.unmarshal(result.toString(), Pod.class);
    }

    private static PodBuilder bare() {
        return new PodBuilder().withNewMetadata().withName("app-0").endMetadata()
            .withNewSpec().addNewContainer().withName("app").withImage("busybox").endContainer().endSpec();
    }
}
