package io.pgmlsidecar.ml.store;

import io.pgmlsidecar.ml.store.hub.HubException;

/**
 * A model download the sidecar refused: the hub redirected to an address the sidecar does not connect to on a
 * role's behalf (the cloud metadata service, its own host, the private network). Not an {@code MlException}: it is a
 * refusal of the operator's policy, which the planner reports as 42501, not a failure of the model.
 */
public final class ModelDownloadRefusedException extends RuntimeException {
    public ModelDownloadRefusedException(String model, String why) {
        super("downloading model '" + model + "' was refused: " + why);
    }

    public String hint() {
        return HubException.REDIRECT_HINT;
    }
}
