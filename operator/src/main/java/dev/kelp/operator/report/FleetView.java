package dev.kelp.operator.report;

/** Read side of the agents' reports, for the StoragePolicy reconciler to put into status. */
@FunctionalInterface
public interface FleetView {

    /** The fold of the latest reports of the policy's agents; {@link FleetStatus#NONE} when none. */
    FleetStatus of(String namespace, String policy);
}
