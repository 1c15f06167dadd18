package io.pgmlsidecar.planner.tabular.engine;

/**
 * One training job: the relation (canonical name) and label column it reads, in which database, and the role whose
 * privileges it reads with (the session's {@code current_user}; never broader).
 */
public record EngineJobRequest(String database, String callerRole, String relation, String labelColumn) {}
