package dev.kelp.bench.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GeneratedDumpTest {

    @Test
    void theSameDumpsInEveryRunEachDayLargerThanTheDayBefore() {
        DataSet a = GeneratedDump.of(2 << 20, 3);
        DataSet b = GeneratedDump.of(2 << 20, 3);
        assertThat(a.rounds()).hasSize(4).allSatisfy(r -> assertThat(r).hasSize(1));
        assertThat(a.rounds().getLast().getFirst()).isEqualTo(new DataSet.Item("dump/orders-2-retry.sql", "dump-2"));
        assertThat(a.contents()).hasSize(3);
        for (String id : a.contents().keySet()) {
            assertThat(a.contents().get(id)).isEqualTo(b.contents().get(id));
        }
        int first = a.contents().get("dump-0").length;
        assertThat(first).isBetween(3 << 19, 5 << 19);
        assertThat(a.contents().get("dump-1").length).isGreaterThan(first);
        assertThat(a.contents().get("dump-2").length).isGreaterThan(a.contents().get("dump-1").length);
    }

    @Test
    void fromOneDayToTheNextMostRowsAreUnchanged() {
        DataSet dumps = GeneratedDump.of(2 << 20, 2);
        List<String> before = lines(dumps.contents().get("dump-0"));
        List<String> after = lines(dumps.contents().get("dump-1"));
        Set<String> kept = new HashSet<>(before);
        long same = after.stream().filter(kept::contains).count();
        assertThat(same).isGreaterThan(before.size() * 9L / 10).isLessThan(before.size());
        assertThat(after.getFirst()).isEqualTo("--");
        assertThat(String.join("\n", after)).contains("COPY public.orders").contains("\\.");
    }

    private static List<String> lines(byte[] dump) {
        return new String(dump, StandardCharsets.UTF_8).lines().toList();
    }
}
