package io.pgmlsidecar.ml.remote;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Function;

/** {@code azure_ml.invoke}: posts the caller's JSON, as is, to an Azure Machine Learning online endpoint. */
public final class AzureMlClient {
    static final String DEPLOYMENT_HEADER = "azureml-model-deployment";

    private final Function<Endpoint, EndpointScheduler> schedulers;
    private final JsonHttp http;

    AzureMlClient(Function<Endpoint, EndpointScheduler> schedulers, JsonHttp http) {
        this.schedulers = schedulers;
        this.http = http;
    }

    /**
     * Scores {@code inputJson} and returns the endpoint's JSON answer.
     *
     * @param deploymentName the deployment to route to ({@code azureml-model-deployment}); null: the endpoint's
     *                       default deployment, else the endpoint's traffic rules
     * @throws RemoteCallException on any failure, after the retries {@code options} allow
     */
    public JsonNode invoke(Endpoint endpoint, String inputJson, String deploymentName, CallOptions options) {
        URI uri = endpoint.uri(Endpoint.Operation.INVOKE); // refuses other kinds of endpoint
        if (inputJson == null) {
            throw RemoteCallException.configuration("input_data must not be NULL", "pass the JSON the model's scoring script expects");
        }
        String deployment = deploymentName == null || deploymentName.isBlank() ? endpoint.deployment() : deploymentName.strip();
        Map<String, String> headers = deployment == null ? Map.of() : Map.of(DEPLOYMENT_HEADER, deployment);
        byte[] body = inputJson.getBytes(StandardCharsets.UTF_8);
        return schedulers.apply(endpoint).call(
                timeout -> http.post(endpoint, uri, headers, body, timeout).json(), options);
    }
}
