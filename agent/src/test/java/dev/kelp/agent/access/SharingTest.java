package dev.kelp.agent.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SharingTest {

    private final Caller alice = Caller.of("alice", "token:a");
    private final Caller agent = Caller.agent("default");

    @Test
    void privateLetsAnOwnerReadAndChangeOnlyItsOwn() {
        assertThat(Sharing.PRIVATE.canRead(alice, "alice")).isTrue();
        assertThat(Sharing.PRIVATE.canRead(alice, "bob")).isFalse();
        assertThat(Sharing.PRIVATE.canChange(alice, "bob")).isFalse();
        assertThat(Sharing.PRIVATE.listFilter(alice)).isEqualTo("alice");
    }

    @Test
    void readSharesReadingButNotChanging() {
        assertThat(Sharing.READ.canRead(alice, "bob")).isTrue();
        assertThat(Sharing.READ.canChange(alice, "bob")).isFalse();
        assertThat(Sharing.READ.canChange(alice, "alice")).isTrue();
        assertThat(Sharing.READ.listFilter(alice)).isNull();
    }

    @Test
    void readWriteSharesEverything() {
        assertThat(Sharing.READ_WRITE.canRead(alice, "bob")).isTrue();
        assertThat(Sharing.READ_WRITE.canChange(alice, "bob")).isTrue();
    }

    @Test
    void objectsWithoutAnOwnerAreTheDefaultOwners() {
        assertThat(Sharing.PRIVATE.canRead(Caller.anonymous(), null)).isTrue();
        assertThat(Sharing.PRIVATE.canRead(alice, null)).isFalse();
    }

    @Test
    void theAgentsOwnWorkSeesEverything() {
        assertThat(Sharing.PRIVATE.canRead(agent, "bob")).isTrue();
        assertThat(Sharing.PRIVATE.canChange(agent, "bob")).isTrue();
        assertThat(Sharing.PRIVATE.listFilter(agent)).isNull();
    }

    @Test
    void parsesTheNamesTheConfigurationUses() {
        assertThat(Sharing.parse("private")).isEqualTo(Sharing.PRIVATE);
        assertThat(Sharing.parse("Read")).isEqualTo(Sharing.READ);
        assertThat(Sharing.parse("read-write")).isEqualTo(Sharing.READ_WRITE);
        assertThatThrownBy(() -> Sharing.parse("public")).hasMessageContaining("private, read or read-write");
    }
}
