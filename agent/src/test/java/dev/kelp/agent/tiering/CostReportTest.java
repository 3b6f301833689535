package dev.kelp.agent.tiering;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CostReportTest {

    private static final long GIB = 1L << 30;

    @Test
    void eachTierIsPricedPerGibMonth() {
        var prices = new CostReport.Prices("USD", 0.023, 0.004);
        assertThat(CostReport.cost(10 * GIB, 0, prices)).isEqualTo(0.23);
        assertThat(CostReport.cost(0, 10 * GIB, prices)).isEqualTo(0.04);
        assertThat(CostReport.cost(GIB / 2, 100 * GIB, prices)).isEqualTo(0.4115);
        assertThat(CostReport.cost(0, 0, prices)).isZero();
    }
}
