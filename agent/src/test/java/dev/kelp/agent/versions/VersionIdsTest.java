package dev.kelp.agent.versions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kelp.agent.object.KelpException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class VersionIdsTest {

    @Test
    void idsAreVersion7UuidsThatIncreaseInTheOrderTheyAreMadeEvenWithinOneMillisecond() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            ids.add(VersionIds.next(1_764_590_400_000L));
        }
        ids.add(VersionIds.next());
        assertThat(ids).allSatisfy(id -> {
            assertThat(VersionIds.isValid(id)).isTrue();
            assertThat(UUID.fromString(id).version()).isEqualTo(7);
        });
        assertThat(new HashSet<>(ids)).hasSize(ids.size());
        assertThat(ids).isSorted();
    }

    @Test
    void theTimeFieldIsTheUnixMillisecond() {
        long millis = System.currentTimeMillis() + 2;
        String id = VersionIds.next(millis);
        assertThat(UUID.fromString(id).getMostSignificantBits() >>> 16).isBetween(millis, millis + 5);
    }

    @Test
    void malformedIdsAreA400() {
        for (String bad : new String[] {null, "", "42", "not-a-version", "0192F0C8-0000-7000-8000-000000000000",
            UUID.randomUUID().toString(), "00000000-0000-7000-8000-00000000001"}) {
            assertThatThrownBy(() -> VersionIds.require(bad)).isInstanceOfSatisfying(KelpException.class, e -> {
                assertThat(e.status()).isEqualTo(400);
                assertThat(e.code()).isEqualTo("InvalidVersionId");
            });
        }
        // What V2__versions.sql gives versions written before versions existed.
        assertThat(VersionIds.require("00000000-0000-7000-8000-000000000012")).isNotNull();
    }
}
