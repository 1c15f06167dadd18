package io.pgmlsidecar.ml.remote;

import com.fasterxml.jackson.databind.JsonNode;

/** A successful answer: its status, the parsed JSON and the text it came from (for quoting in errors). */
record JsonReply(Endpoint endpoint, int status, JsonNode json, String text) {

    /** The error for an answer whose JSON does not have the expected shape. */
    RemoteCallException malformed(String problem) {
        return RemoteErrors.malformed(endpoint, status, problem, text);
    }
}
