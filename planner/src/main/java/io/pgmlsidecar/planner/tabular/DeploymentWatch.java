package io.pgmlsidecar.planner.tabular;

/** Tells the planner when the registry's deployments may have changed in a database. */
@FunctionalInterface
public interface DeploymentWatch {

    /**
     * True while changes in {@code database} are being watched, so answers cached for it stay
     * current; {@code onChange} runs after every change and whenever watching stops.
     */
    boolean watching(String database, Runnable onChange);

    /** Nothing is watched: every statement looks the deployment up. */
    DeploymentWatch NONE = (database, onChange) -> false;
}
