package dev.kelp.agent.e2e;

import dev.kelp.agent.object.ContentHash;
import java.util.SplittableRandom;

/**
 * Deterministic objects of mixed sizes: object {@code i}'s bytes are a function of {@code i},
 * so a test keeps only hashes in memory and can regenerate any body to compare.
 * Sizes: 80% 1-8 KiB, 17% 8-128 KiB, 3% 512 KiB-1 MiB.
 */
final class Workload {

    private Workload() {
    }

    static byte[] body(int i) {
        var random = new SplittableRandom(0x6b656c70L * 31 + i);
        int pick = random.nextInt(100);
        int size = pick < 80 ? random.nextInt(1024, 8 * 1024)
            : pick < 97 ? random.nextInt(8 * 1024, 128 * 1024)
            : random.nextInt(512 * 1024, 1024 * 1024);
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        return bytes;
    }

    static String key(int i) {
        return "load/" + (i % 97) + "/object-" + i + ".bin";
    }

    static ContentHash hash(int i) {
        return ContentHash.ofBytes(body(i));
    }
}
