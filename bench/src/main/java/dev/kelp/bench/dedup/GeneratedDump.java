package dev.kelp.bench.dedup;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Large similar files, generated: daily plain-text dumps of an orders table, in primary-key order
 * ({@code COPY ... FROM stdin} rows, as {@code pg_dump} writes them), one object per day
 * ({@code dump/orders-<day>.sql}), all kept. Between two days the table grows by 3 % (new
 * orders, appended at the end), 400 of the newest 10 % of orders change status (an order goes
 * pending, paid, shipped, delivered), and 8 orders anywhere change status or amount (refunds,
 * corrections) and 4 anywhere are deleted; the header names the day. The last day's dump is
 * written twice, the second time under {@code dump/orders-<day>-retry.sql} (the job retried):
 * a whole-object dedup hit of a large blob. Nothing here is real data:
 * the rows come from a seeded random generator, the same in every run.
 */
final class GeneratedDump {

    private static final String[] STATUS = {"pending", "paid", "shipped", "delivered", "refunded", "cancelled"};
    private static final String[] WORDS = {"gift", "wrap", "leave", "at", "door", "call", "before", "delivery", "fragile",
        "express", "no", "invoice", "please", "back", "office", "reception", "ring", "bell", "twice", "weekend"};
    private static final String[] SKUS = new String[2000];

    static {
        var random = new SplittableRandom(0x5c05L);
        for (int i = 0; i < SKUS.length; i++) {
            SKUS[i] = "SKU-" + (char) ('A' + random.nextInt(26)) + (char) ('A' + random.nextInt(26)) + "-" + (10000 + random.nextInt(90000));
        }
    }

    private static final class Row {
        final long id;
        final long customer;
        final long created;
        int status;
        long cents;
        final String sku;
        final String note;

        Row(long id, SplittableRandom random, long created) {
            this.id = id;
            this.customer = 1 + random.nextInt(200_000);
            this.created = created;
            this.status = 0;
            this.cents = 100 + random.nextInt(50_000);
            this.sku = SKUS[random.nextInt(SKUS.length)];
            int words = random.nextInt(4) == 0 ? 1 + random.nextInt(6) : 0;
            var note = new StringBuilder();
            for (int w = 0; w < words; w++) {
                note.append(w == 0 ? "" : " ").append(WORDS[random.nextInt(WORDS.length)]);
            }
            this.note = words == 0 ? "\\N" : note.toString();
        }

        void appendTo(StringBuilder out) {
            long s = created;
            out.append(id).append('\t').append(customer).append("\t2026-");
            two(out, 1 + (s / 86400 / 28) % 12).append('-');
            two(out, 1 + (s / 86400) % 28).append(' ');
            two(out, (s / 3600) % 24).append(':');
            two(out, (s / 60) % 60).append(':');
            two(out, s % 60).append("+00\t").append(STATUS[status]).append('\t').append(cents / 100).append('.');
            two(out, cents % 100).append('\t').append(sku).append('\t').append(note).append('\n');
        }

        private static StringBuilder two(StringBuilder out, long n) {
            return out.append((char) ('0' + n / 10)).append((char) ('0' + n % 10));
        }
    }

    private GeneratedDump() {
    }

    static DataSet of(long firstBytes, int days) {
        var random = new SplittableRandom(0xd0a9L);
        List<Row> rows = new ArrayList<>();
        long nextId = 1;
        long clock = 0;
        // ~ 72 bytes a row
        long target = firstBytes / 72;
        for (; rows.size() < target; nextId++) {
            clock += random.nextInt(60);
            rows.add(new Row(nextId, random, clock));
        }
        // Old orders have been delivered; the newest tenth are somewhere on their way.
        for (int i = 0; i < rows.size(); i++) {
            rows.get(i).status = i < rows.size() * 9 / 10 ? 3 : random.nextInt(4);
        }
        Map<String, byte[]> contents = new LinkedHashMap<>();
        List<List<DataSet.Item>> rounds = new ArrayList<>();
        for (int day = 0; day < days; day++) {
            if (day > 0) {
                for (int i = 0; i < 400; i++) {
                    Row r = rows.get(rows.size() - 1 - random.nextInt(rows.size() / 10));
                    r.status = Math.min(3, r.status + 1);
                }
                for (int i = 0; i < 8; i++) {
                    Row r = rows.get(random.nextInt(rows.size()));
                    if (random.nextBoolean()) {
                        r.status = 4;
                    } else {
                        r.cents = Math.max(1, r.cents - random.nextInt(1000));
                    }
                }
                for (int i = 0; i < 4; i++) {
                    rows.remove(random.nextInt(rows.size()));
                }
                for (int n = rows.size() * 3 / 100, i = 0; i < n; i++, nextId++) {
                    clock += random.nextInt(60);
                    rows.add(new Row(nextId, random, clock));
                }
            }
            String id = "dump-" + day;
            contents.put(id, render(rows, day));
            rounds.add(List.of(new DataSet.Item("dump/orders-" + day + ".sql", id)));
        }
        // The last night's job ran twice (a retry after a timeout, say): the same dump under a second key.
        rounds.add(List.of(new DataSet.Item("dump/orders-" + (days - 1) + "-retry.sql", "dump-" + (days - 1))));
        long smallest = contents.values().stream().mapToLong(b -> b.length).min().orElse(0);
        long largest = contents.values().stream().mapToLong(b -> b.length).max().orElse(0);
        String description = ("**generated** (seeded random rows, not real data): %d daily plain-text dumps of an orders table in key order, `pg_dump` style"
            + " (`dump/orders-<day>.sql`, %.2f to %.2f MiB); from one day to the next the table grows by 3 %% at its end, 400 of its newest tenth change status,"
            + " 8 rows anywhere change status or amount and 4 anywhere are deleted, and the header names the day; the last day's dump is written"
            + " a second time (`dump/orders-<day>-retry.sql`: the job retried)")
            .formatted(days, smallest / 1048576.0, largest / 1048576.0);
        return new DataSet("dump", description, rounds, contents);
    }

    private static byte[] render(List<Row> rows, int day) {
        var out = new StringBuilder(rows.size() * 100 + 1024);
        out.append("--\n-- PostgreSQL database dump (generated by the Kelp dedup benchmark)\n--\n\n")
            .append("-- Dumped on day ").append(day).append(String.format(Locale.ROOT, ", 2026-11-%02d 03:00:00 UTC%n%n", 1 + day % 28))
            .append("SET statement_timeout = 0;\nSET client_encoding = 'UTF8';\n\n")
            .append("CREATE TABLE public.orders (\n    id bigint NOT NULL,\n    customer_id bigint NOT NULL,\n    created_at timestamp with time zone NOT NULL,\n")
            .append("    status text NOT NULL,\n    amount numeric(10,2) NOT NULL,\n    sku text NOT NULL,\n    note text\n);\n\n")
            .append("COPY public.orders (id, customer_id, created_at, status, amount, sku, note) FROM stdin;\n");
        for (Row r : rows) {
            r.appendTo(out);
        }
        out.append("\\.\n\n").append("ALTER TABLE ONLY public.orders ADD CONSTRAINT orders_pkey PRIMARY KEY (id);\n\n")
            .append("--\n-- PostgreSQL database dump complete\n--\n\n");
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }
}
