package dev.kelp.crds;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kelp.crds.v1alpha1.BackupSchedule;
import dev.kelp.crds.v1alpha1.StoragePolicy;
import dev.kelp.crds.v1alpha1.TierRule;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;
import org.junit.jupiter.api.Test;

class PrintCrdsTest {

    @Test
    void resourcesNameOneGeneratedFilePerKind() {
        assertThat(PrintCrds.RESOURCES).containsExactly(
            "META-INF/fabric8/storagepolicies.kelp.dev-v1.yml",
            "META-INF/fabric8/tierrules.kelp.dev-v1.yml",
            "META-INF/fabric8/backupschedules.kelp.dev-v1.yml");
    }

    @Test
    void allCrdsYamlIsOneStreamOfEveryCrdForKubectlApply() {
        List<HasMetadata> documents = new KubernetesSerialization().unmarshal(PrintCrds.allCrdsYaml());

        assertThat(documents).extracting(d -> d.getMetadata().getName())
            .containsExactly(StoragePolicy.CRD_NAME, TierRule.CRD_NAME, BackupSchedule.CRD_NAME);
    }
}
