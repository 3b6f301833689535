package dev.kelp.crds;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kelp.crds.v1alpha1.StoragePolicy;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinitionBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class PrinterColumnOrderTest {

    @Test
    void columnsFollowTheOrderTheResourceClassDeclares() {
        var sortedByPath = List.of(column(".metadata.creationTimestamp"), column(".status.agentsDisplay"),
            column(".status.mode"), column(".status.pending.bytes"), column(".status.pending.objects"));

        assertThat(PrinterColumnOrder.inDeclaredOrder(sortedByPath, StoragePolicy.class))
            .extracting(CustomResourceColumnDefinition::getJsonPath)
            .containsExactly(".status.mode", ".status.agentsDisplay", ".status.pending.objects",
                ".metadata.creationTimestamp", ".status.pending.bytes");
    }

    @Test
    void columnsTheClassDoesNotDeclareGoLastInTheirOrder() {
        var columns = List.of(column(".status.z"), column(".status.a"), column(".status.mode"));

        assertThat(PrinterColumnOrder.inDeclaredOrder(columns, StoragePolicy.class))
            .extracting(CustomResourceColumnDefinition::getJsonPath)
            .containsExactly(".status.mode", ".status.z", ".status.a");
    }

    private static CustomResourceColumnDefinition column(String jsonPath) {
        return new CustomResourceColumnDefinitionBuilder().withJsonPath(jsonPath).withName(jsonPath).withType("string").build();
    }
}
