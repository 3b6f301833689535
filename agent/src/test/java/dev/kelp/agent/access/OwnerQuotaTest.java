package dev.kelp.agent.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class OwnerQuotaTest {

    @Test
    void aWriteUpToTheLimitFitsAndOneByteMoreDoesNot() {
        var quota = new OwnerQuota(100, 0);
        assertThat(quota.exceededBy("alice", 100, 5)).isNull();
        assertThat(quota.exceededBy("alice", 101, 5)).isEqualTo("owner alice would hold 101 bytes, over its limit of 100 bytes");
    }

    @Test
    void objectsAreCountedOnTheirOwn() {
        var quota = new OwnerQuota(0, 3);
        assertThat(quota.exceededBy("bob", Long.MAX_VALUE, 3)).isNull();
        assertThat(quota.exceededBy("bob", 0, 4)).contains("4 objects").contains("limit of 3 objects").contains("bob");
    }

    @Test
    void zeroIsUnlimitedAndNegativeIsRefused() {
        assertThat(OwnerQuota.UNLIMITED.unlimited()).isTrue();
        assertThat(OwnerQuota.UNLIMITED.exceededBy("a", Long.MAX_VALUE, Long.MAX_VALUE)).isNull();
        assertThatThrownBy(() -> new OwnerQuota(-1, 0)).hasMessageContaining("cannot be negative");
    }
}
