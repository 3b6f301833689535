package dev.kelp.agent.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccessControlTest {

    @TempDir
    Path dir;

    /** A clock the test moves. */
    static final class MovableClock extends Clock {
        Instant now = Instant.parse("2026-12-01T10:00:00Z");

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private AccessControl control(Path file, MovableClock clock, Principals legacy) {
        return new AccessControl(new AccessConfig(file, "private", 0, 0, Duration.ofSeconds(10)), legacy, clock);
    }

    @Test
    void aChangedFileIsReadAfterTheIntervalAndABrokenOneKeepsThePrincipalsInForce() throws Exception {
        Path file = dir.resolve("principals.yaml");
        Files.writeString(file, "owners: [{name: alice, tokens: [alice-token-0123456789]}]");
        var clock = new MovableClock();
        var control = control(file, clock, Principals.NONE);
        assertThat(control.principals().byToken("alice-token-0123456789")).isPresent();

        Files.writeString(file, "owners: [{name: bob, tokens: [bob-token-0123456789ab]}]");
        Files.setLastModifiedTime(file, FileTime.from(clock.now.plusSeconds(1)));
        assertThat(control.principals().byToken("bob-token-0123456789ab")).as("not before the interval").isEmpty();
        clock.now = clock.now.plusSeconds(11);
        assertThat(control.principals().byToken("bob-token-0123456789ab")).isPresent();
        assertThat(control.principals().byToken("alice-token-0123456789")).as("a removed token stops working").isEmpty();

        Files.writeString(file, "owners: [{name: Bob!}]");
        Files.setLastModifiedTime(file, FileTime.from(clock.now.plusSeconds(2)));
        clock.now = clock.now.plusSeconds(11);
        assertThat(control.principals().byToken("bob-token-0123456789ab")).as("the last good principals stay").isPresent();
    }

    @Test
    void theLegacyTokenAndKeyPairAreTheDefaultOwnersBesideTheFile() throws Exception {
        Path file = dir.resolve("principals.yaml");
        Files.writeString(file, "owners: [{name: alice, tokens: [alice-token-0123456789]}]");
        var control = control(file, new MovableClock(), AccessControl.legacy("legacy-token", "AKLEGACY", "legacy-secret"));
        assertThat(control.principals().byToken("legacy-token")).get().extracting(Caller::owner).isEqualTo(Caller.DEFAULT_OWNER);
        assertThat(control.principals().byAccessKey("AKLEGACY")).get().extracting(k -> k.caller().owner()).isEqualTo(Caller.DEFAULT_OWNER);
        assertThat(control.principals().byToken("alice-token-0123456789")).get().extracting(Caller::owner).isEqualTo("alice");
        assertThat(control.enforced()).isTrue();
    }

    @Test
    void anUnusableFileAtStartupStopsTheAgentAndNoFileIsTodaysBehaviour() throws Exception {
        Path file = dir.resolve("principals.yaml");
        Files.writeString(file, "owners: [{name: alice, tokens: [short]}]");
        assertThatThrownBy(() -> control(file, new MovableClock(), Principals.NONE)).hasMessageContaining("owners[0].tokens[0]");
        assertThatThrownBy(() -> control(dir.resolve("missing.yaml"), new MovableClock(), Principals.NONE))
            .hasMessageContaining("kelp.access.principals-file");

        var open = AccessControl.open();
        assertThat(open.enforced()).isFalse();
        assertThat(open.principals().tokensRequired()).isFalse();
        assertThat(open.quotaOf("anyone").unlimited()).isTrue();
    }

    @Test
    void anOwnersOwnQuotaReplacesTheDefaultOne() throws Exception {
        Path file = dir.resolve("principals.yaml");
        Files.writeString(file, "owners: [{name: big, quota: {maxObjects: 1000}}, {name: small}]");
        var control = new AccessControl(new AccessConfig(file, "read", 100, 10, Duration.ofSeconds(10)), Principals.NONE, new MovableClock());
        assertThat(control.quotaOf("big")).isEqualTo(new OwnerQuota(0, 1000));
        assertThat(control.quotaOf("small")).isEqualTo(new OwnerQuota(100, 10));
        assertThat(control.sharing()).isEqualTo(Sharing.READ);
    }
}
