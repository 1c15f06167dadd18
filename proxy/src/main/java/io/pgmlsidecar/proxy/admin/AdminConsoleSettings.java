package io.pgmlsidecar.proxy.admin;

import java.util.Objects;

/**
 * Who may use the admin console and where they prove who they are.
 *
 * @param database the virtual database a client names to reach the console ({@code pgml_sidecar})
 * @param authDatabase the real upstream database the client's startup is relayed to for authentication
 * @param adminRole members of this upstream role (and superusers) get the console; everyone else is refused
 */
public record AdminConsoleSettings(String database, String authDatabase, String adminRole) {

    public static final String DEFAULT_DATABASE = "pgml_sidecar";

    public AdminConsoleSettings {
        Objects.requireNonNull(database);
        Objects.requireNonNull(authDatabase);
        Objects.requireNonNull(adminRole);
    }
}
