package dev.kelp.operator.report;

import static dev.kelp.operator.report.Reports.report;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kelp.crds.v1alpha1.AgentMode;
import java.util.List;
import org.junit.jupiter.api.Test;

class FleetFoldTest {

    @Test
    void noPodsFoldToNothing() {
        assertThat(FleetFold.fold(List.of())).isEqualTo(FleetStatus.NONE);
    }

    @Test
    void countsModesOfReadyAgentsAndTheWorstOfThem() {
        var status = FleetFold.fold(List.of(
            member(report("a", AgentMode.FULL, true, 0, 0, 0)),
            member(report("b", AgentMode.FALLBACK, true, 0, 0, 0)),
            member(report("c", AgentMode.FULL, true, 0, 0, 0))));

        assertThat(status.total()).isEqualTo(3);
        assertThat(status.ready()).isEqualTo(3);
        assertThat(status.full()).isEqualTo(2);
        assertThat(status.fallback()).isEqualTo(1);
        assertThat(status.localOnly()).isZero();
        assertThat(status.worstMode()).isEqualTo(AgentMode.FALLBACK);
    }

    @Test
    void localOnlyIsWorseThanFallback() {
        var status = FleetFold.fold(List.of(
            member(report("a", AgentMode.LOCAL_ONLY, true, 0, 0, 0)),
            member(report("b", AgentMode.FALLBACK, true, 0, 0, 0))));

        assertThat(status.worstMode()).isEqualTo(AgentMode.LOCAL_ONLY);
    }

    @Test
    void podsWithoutAFreshReportCountInTotalOnly() {
        var status = FleetFold.fold(List.of(member(report("a", AgentMode.FULL, true, 0, 0, 0)), member(null), member(null)));

        assertThat(status.total()).isEqualTo(3);
        assertThat(status.ready()).isEqualTo(1);
        assertThat(status.full()).isEqualTo(1);
    }

    @Test
    void anUnreadyAgentIsNotCountedInAModeButItsPendingSyncIs() {
        var status = FleetFold.fold(List.of(
            member(report("a", AgentMode.LOCAL_ONLY, false, 5, 500, 90)),
            member(report("b", AgentMode.FULL, true, 0, 0, 0))));

        assertThat(status.ready()).isEqualTo(1);
        assertThat(status.localOnly()).isZero();
        assertThat(status.worstMode()).isEqualTo(AgentMode.FULL);
        assertThat(status.pendingObjects()).isEqualTo(5);
        assertThat(status.oldestPendingAgeSeconds()).isEqualTo(90);
    }

    @Test
    void pendingSyncSumsAndTheOldestAgeIsTheMaximum() {
        var status = FleetFold.fold(List.of(
            member(report("a", AgentMode.FALLBACK, true, 3, 3_000, 40)),
            member(report("b", AgentMode.FALLBACK, true, 7, 70_000, 125)),
            member(report("c", AgentMode.FULL, true, 0, 0, 0))));

        assertThat(status.pendingObjects()).isEqualTo(10);
        assertThat(status.pendingBytes()).isEqualTo(73_000);
        assertThat(status.oldestPendingAgeSeconds()).isEqualTo(125);
    }

    @Test
    void withNoReadyAgentThereIsNoWorstMode() {
        assertThat(FleetFold.fold(List.of(member(null))).worstMode()).isNull();
    }

    private static FleetFold.Member member(AgentReport report) {
        return new FleetFold.Member(report);
    }
}
