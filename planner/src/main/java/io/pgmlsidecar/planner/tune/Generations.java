package io.pgmlsidecar.planner.tune;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.pgmlsidecar.ml.remote.CallOptions;
import io.pgmlsidecar.ml.remote.Endpoint;
import io.pgmlsidecar.ml.remote.EndpointKind;
import io.pgmlsidecar.ml.remote.RemoteCallException;
import io.pgmlsidecar.ml.remote.RemoteModels;
import io.pgmlsidecar.planner.remote.RemoteEmbeddings;
import io.pgmlsidecar.planner.remote.RemoteFailures;
import io.pgmlsidecar.planner.remote.RemoteTransforms;
import io.pgmlsidecar.planner.tabular.TabularCatalog;
import io.pgmlsidecar.proxy.codec.PgError;
import io.pgmlsidecar.proxy.intercept.PgException;
import io.pgmlsidecar.proxy.intercept.SessionContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * pgml.generate(project_name, inputs, config): the project's deployed tuned model continues each
 * input; a name that is no project but a remote chat model generates with that model. Models tuned by a remote provider are called on their endpoint with the provider's name of
 * the tuned model; {@code config} holds Hugging Face generate() arguments, mapped as for transform.
 */
public final class Generations {
    private final RemoteEmbeddings endpoints;
    private final RemoteModels remote;

    public Generations(RemoteEmbeddings endpoints, RemoteModels remote) {
        this.endpoints = endpoints;
        this.remote = remote;
    }

    /** One output per input (null inputs give null). */
    public List<String> generate(SessionContext session, String project, List<String> inputs, JsonNode config) {
        TabularCatalog.DeployedModel deployed = new TabularCatalog(session.backend()).deployed(project);
        if (deployed == null) {
            // not a project: a remote chat model (pgml.remote_models, openai:<model>) generates directly
            Endpoint direct = endpoints.endpoint(session, project);
            if (direct != null && (direct.kind() == EndpointKind.OPENAI || direct.kind() == EndpointKind.AZURE_OPENAI)) {
                return chat(direct, inputs, RemoteTransforms.options(direct, config));
            }
            throw new PgException(PgError.error("42704", "no deployed model for project \"" + project + "\"",
                    "Tune the project with pgml.tune first, or name a remote chat model (pgml.remote_models, 'openai:<model>')."));
        }
        RemoteTunedModel tuned = RemoteTunedModel.load(session.backend(), deployed.modelId());
        if (tuned == null) {
            throw new PgException(PgError.error("22023", "project \"" + project + "\" (task " + deployed.task()
                    + ") has no generative model", "pgml.generate serves projects tuned for text generation, translation, "
                    + "summarization, text2text or conversation; classifiers are served by pgml.predict and pgml.transform."));
        }
        Endpoint endpoint = endpoints.endpoint(session, tuned.endpoint());
        if (endpoint == null) {
            throw new PgException(PgError.error("42704", "the remote model \"" + tuned.endpoint() + "\" that tuned project \""
                    + project + "\" is no longer configured", "Register it again in pgml.remote_models."));
        }
        Map<String, Object> options = new LinkedHashMap<>(RemoteTransforms.options(endpoint, config));
        options.put("model", tuned.fineTunedModel());
        return chat(endpoint, inputs, options);
    }

    private List<String> chat(Endpoint endpoint, List<String> inputs, Map<String, Object> options) {
        List<String> out = new ArrayList<>(inputs.size());
        try {
            for (String input : inputs) {
                if (input == null) {
                    out.add(null);
                    continue;
                }
                ArrayNode messages = JsonNodeFactory.instance.arrayNode();
                messages.addObject().put("role", "user").put("content", input);
                List<String> choices = remote.openAi().chat(endpoint, messages, options, CallOptions.of(120_000, 3, 1000));
                out.add(choices.isEmpty() ? null : choices.get(0));
            }
        } catch (RemoteCallException e) {
            throw RemoteFailures.error(e);
        }
        return out;
    }
}
