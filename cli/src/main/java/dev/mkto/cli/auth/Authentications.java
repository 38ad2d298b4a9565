package dev.mkto.cli.auth;

import dev.mkto.cli.CliException;
import dev.mkto.cli.Context;
import dev.mkto.cli.ExitCode;
import dev.mkto.cli.Output;
import dev.mkto.cli.vault.AtomicFiles;
import dev.mkto.cli.vault.Vault;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The saved authentications: kept in the vault, with the name of the default one in
 * {@code $MKTO_HOME/config} beside it (not a secret). Saved once, reused by every command.
 */
public final class Authentications {

    private static final String NAME = "[A-Za-z0-9][A-Za-z0-9._-]{0,63}";

    private final Context ctx;
    private final Vault vault;
    private final Path config;

    public Authentications(Context ctx) {
        this.ctx = ctx;
        this.vault = Vault.of(ctx);
        this.config = ctx.home().resolve("config");
    }

    public Vault vault() {
        return vault;
    }

    /** Every saved authentication, by name; empty (and no key asked for) when there is no vault yet. */
    public List<Authentication> all() {
        return vault.read().map(Authentications::decode).orElse(List.of());
    }

    public Optional<Authentication> find(String name) {
        return all().stream().filter(a -> a.name().equals(name)).findFirst();
    }

    /** The named authentication; a usage error listing the saved ones when there is none by that name. */
    public Authentication get(String name) {
        List<Authentication> all = all();
        return all.stream().filter(a -> a.name().equals(name)).findFirst()
                .orElseThrow(() -> CliException.usage("no authentication named '" + name + "'" + (all.isEmpty()
                        ? "; add one with: mkto auth add NAME --endpoint URL --client-id ID"
                        : "; saved: " + String.join(", ", all.stream().map(Authentication::name).toList()))));
    }

    /**
     * The one a command uses: the one named (by {@code --auth} or {@code MKTO_AUTH}), else the
     * default ({@code mkto auth use}), else the only one saved.
     */
    public Authentication resolve(@Nullable String named) {
        String name = named != null && !named.isBlank() ? named : ctx.env("MKTO_AUTH").orElse(null);
        if (name != null) {
            return get(name);
        }
        Optional<String> dflt = defaultName();
        if (dflt.isPresent()) {
            return get(dflt.get());
        }
        List<Authentication> all = all();
        if (all.size() == 1) {
            return all.get(0);
        }
        throw CliException.usage(all.isEmpty()
                ? "no authentication saved yet; add one with: mkto auth add NAME --endpoint URL --client-id ID"
                : "which authentication? name one with --auth NAME, or choose a default with: mkto auth use NAME (saved: "
                        + String.join(", ", all.stream().map(Authentication::name).toList()) + ")");
    }

    public void add(Authentication a) {
        requireName(a.name());
        change(list -> {
            if (list.stream().anyMatch(x -> x.name().equals(a.name()))) {
                throw CliException.usage("an authentication named '" + a.name() + "' exists; remove it first (mkto auth rm "
                        + a.name() + ") or choose another name");
            }
            List<Authentication> out = new ArrayList<>(list);
            out.add(a);
            return out;
        });
    }

    public void rename(String from, String to) {
        requireName(to);
        change(list -> {
            if (list.stream().noneMatch(x -> x.name().equals(from))) {
                throw CliException.usage("no authentication named '" + from + "'");
            }
            if (list.stream().anyMatch(x -> x.name().equals(to))) {
                throw CliException.usage("an authentication named '" + to + "' exists");
            }
            return list.stream().map(x -> x.name().equals(from) ? x.renamed(to) : x).toList();
        });
        if (defaultName().filter(from::equals).isPresent()) {
            writeDefault(to);
        }
    }

    public void remove(String name) {
        change(list -> {
            if (list.stream().noneMatch(x -> x.name().equals(name))) {
                throw CliException.usage("no authentication named '" + name + "'");
            }
            return list.stream().filter(x -> !x.name().equals(name)).toList();
        });
        if (defaultName().filter(name::equals).isPresent()) {
            writeDefault(null);
        }
    }

    /** Makes {@code name} the default. */
    public void use(String name) {
        get(name);
        writeDefault(name);
    }

    /** The default's name, if one was chosen. */
    public Optional<String> defaultName() {
        try {
            JsonNode json = Output.tryParse(Files.readAllBytes(config));
            if (json == null || !json.isObject()) {
                throw CliException.usage(config + " is not mkto's configuration (a JSON object); fix it, or delete it and choose the"
                        + " default again with 'mkto auth use NAME'");
            }
            return Optional.ofNullable(json.path("default").asString(null)).filter(s -> !s.isBlank());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw CliException.usage("cannot read " + config + ": " + e.getMessage());
        }
    }

    private void writeDefault(@Nullable String name) {
        try {
            AtomicFiles.write(config, (Output.pretty(Output.map("default", name)) + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new CliException(ExitCode.USAGE, "cannot write " + config + ": " + e.getMessage(), null);
        }
    }

    private void change(UnaryOperator<List<Authentication>> f) {
        vault.update(bytes -> encode(f.apply(bytes.length == 0 ? List.of() : decode(bytes))));
    }

    private static void requireName(String name) {
        if (!name.matches(NAME)) {
            throw CliException.usage("'" + name + "' cannot name an authentication: use letters, digits, '.', '_' and '-' (up to 64,"
                    + " starting with a letter or digit)");
        }
    }

    private static byte[] encode(List<Authentication> list) {
        List<Map<String, Object>> items = list.stream().map(a -> Map.<String, Object>of(
                "name", a.name(), "endpoint", a.endpoint(), "clientId", a.clientId(), "clientSecret", a.clientSecret(),
                "limits", a.limits(), "createdAt", a.createdAt().toString())).toList();
        return Output.compact(Map.of("version", 1, "authentications", items)).getBytes(StandardCharsets.UTF_8);
    }

    private static List<Authentication> decode(byte[] bytes) {
        JsonNode json = Output.tryParse(bytes);
        if (json == null || !json.path("authentications").isArray()) {
            throw new CliException(ExitCode.VAULT_UNREADABLE, "the vault opened but does not hold mkto's authentications", null);
        }
        List<Authentication> out = new ArrayList<>();
        for (JsonNode a : json.path("authentications")) {
            out.add(new Authentication(a.path("name").asString(""), a.path("endpoint").asString(""), a.path("clientId").asString(""),
                    a.path("clientSecret").asString(""), a.path("limits").asString("marketo"),
                    Instant.parse(a.path("createdAt").asString("1970-01-01T00:00:00Z"))));
        }
        out.sort(java.util.Comparator.comparing(Authentication::name));
        return List.copyOf(out);
    }
}
