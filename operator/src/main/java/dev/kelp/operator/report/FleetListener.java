package dev.kelp.operator.report;

/** Told that the fold of a policy may have changed; must return at once (it runs on I/O threads). */
@FunctionalInterface
public interface FleetListener {

    void mayHaveChanged(String namespace, String policy);
}
