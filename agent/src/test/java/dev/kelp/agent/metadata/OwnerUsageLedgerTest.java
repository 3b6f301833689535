package dev.kelp.agent.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kelp.agent.metadata.MetadataStore.Usage;
import dev.kelp.agent.object.ContentHash;
import dev.kelp.agent.object.ObjectRecord;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class OwnerUsageLedgerTest {

    private final OwnerUsageLedger ledger = new OwnerUsageLedger();

    private static ObjectRecord record(String key, long size, String owner) {
        return new ObjectRecord("b", key, 0, ContentHash.ofBytes(key.getBytes()), size, "text/plain", Map.of(), Instant.now(), null, owner);
    }

    @Test
    void anOwnerNeverReadIsUnknownWhateverIsWritten() {
        ledger.put(record("k", 10, "alice"), Optional.empty(), false);
        assertThat(ledger.get("b", "alice")).isEmpty();
    }

    @Test
    void writesSinceTheLastReadAddUpAndAKnownReplacementIsTakenAway() {
        ledger.read("b", "alice", new Usage(100, 3));
        ledger.put(record("new", 10, "alice"), Optional.empty(), false);
        assertThat(ledger.get("b", "alice")).contains(new Usage(110, 4));
        ledger.put(record("new", 4, "alice"), Optional.of(record("new", 10, "alice")), false);
        assertThat(ledger.get("b", "alice")).contains(new Usage(104, 4));
        ledger.delete(Optional.of(record("new", 4, "alice")), false);
        assertThat(ledger.get("b", "alice")).contains(new Usage(100, 3));
    }

    @Test
    void anUnknownReplacementCountsInFullAndKeptVersionsKeepTheirBytes() {
        ledger.read("b", "alice", new Usage(100, 3));
        ledger.put(record("seen-by-no-one", 10, "alice"), Optional.empty(), false);
        assertThat(ledger.get("b", "alice")).as("generous: never below the truth").contains(new Usage(110, 4));
        ledger.delete(Optional.of(record("seen-by-no-one", 10, "alice")), true);
        assertThat(ledger.get("b", "alice")).as("with versions kept, a delete frees no bytes").contains(new Usage(110, 3));
    }

    @Test
    void aTakeoverMovesTheObjectBetweenOwners() {
        ledger.read("b", "alice", new Usage(10, 1));
        ledger.read("b", "bob", new Usage(0, 0));
        ledger.put(record("k", 7, "bob"), Optional.of(record("k", 10, "alice")), false);
        assertThat(ledger.get("b", "alice")).contains(new Usage(0, 0));
        assertThat(ledger.get("b", "bob")).contains(new Usage(7, 1));
    }
}
