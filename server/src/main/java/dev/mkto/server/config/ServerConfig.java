package dev.mkto.server.config;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How one server process runs: immutable, validated when built. Values come from command-line
 * flags, then {@code MKTO_*} environment variables, then defaults; a bad value stops the server
 * with a message naming the setting.
 *
 * @param host         address to bind ({@code --host}, {@code MKTO_HOST}; default 127.0.0.1)
 * @param port         port to bind, 0 for any free port ({@code --port}, {@code MKTO_PORT}; default 8080)
 * @param dataDir      directory for the embedded database and the key file ({@code --data-dir})
 * @param dbUrl        JDBC URL ({@code --db-url}); default an H2 file in the data directory
 * @param dbUser       database user ({@code --db-user}, {@code MKTO_DB_USER})
 * @param dbPassword   database password ({@code MKTO_DB_PASSWORD} only, never a flag)
 * @param seeds        seed files applied at start ({@code --seed}, repeatable; {@code MKTO_SEED})
 * @param munchkinId   Munchkin id given to the instance created on first start
 * @param adminToken   the admin credential, when set by {@code MKTO_ADMIN_TOKEN} rather than generated
 * @param secretKey    the 32-byte key for secrets at rest, when given by {@code MKTO_SECRET_KEY}
 * @param redisUrl     Redis shared by every process for the limits ({@code --redis-url}, {@code MKTO_REDIS_URL})
 */
public record ServerConfig(
        String host,
        int port,
        Path dataDir,
        String dbUrl,
        String dbUser,
        String dbPassword,
        List<Path> seeds,
        String munchkinId,
        Optional<String> adminToken,
        Optional<byte[]> secretKey,
        Optional<String> redisUrl) {

    public static final String DEFAULT_MUNCHKIN_ID = "123-ABC-456";
    private static final Pattern MUNCHKIN = Pattern.compile("\\d{3}-[A-Z]{3}-\\d{3}");

    public ServerConfig {
        seeds = List.copyOf(seeds);
        require(port >= 0 && port <= 65535, "port", "must be between 0 and 65535, got " + port);
        require(!host.isBlank(), "host", "must not be blank");
        require(dbUrl.startsWith("jdbc:h2:") || dbUrl.startsWith("jdbc:postgresql:"), "db-url",
                "must start with jdbc:h2: or jdbc:postgresql:");
        require(MUNCHKIN.matcher(munchkinId).matches(), "munchkin-id",
                "must look like 123-ABC-456 (three digits, three capital letters, three digits)");
        adminToken.ifPresent(t -> require(t.length() >= 16 && t.chars().noneMatch(Character::isWhitespace),
                "MKTO_ADMIN_TOKEN", "must be at least 16 characters without spaces"));
        secretKey.ifPresent(k -> require(k.length == 32, "MKTO_SECRET_KEY", "must be 32 bytes, base64-encoded"));
        redisUrl.ifPresent(u -> require(u.startsWith("redis://") || u.startsWith("rediss://"), "redis-url",
                "must look like redis://host:6379 (or rediss:// for TLS)"));
        for (Path seed : seeds) {
            require(Files.isRegularFile(seed) && Files.isReadable(seed), "seed", "cannot read " + seed);
        }
    }

    /** Secrets are shown only as whether they are set. */
    @Override
    public String toString() {
        return "ServerConfig[host=" + host + ", port=" + port + ", dataDir=" + dataDir + ", dbUrl=" + dbUrl.replaceAll("(?i)(password=)[^&;]*", "$1***")
                + ", dbUser=" + dbUser + ", dbPassword=" + (dbPassword.isEmpty() ? "unset" : "set")
                + ", seeds=" + seeds + ", munchkinId=" + munchkinId
                + ", adminToken=" + (adminToken.isPresent() ? "set" : "unset")
                + ", secretKey=" + (secretKey.isPresent() ? "set" : "unset")
                + ", redisUrl=" + redisUrl.map(u -> u.replaceAll("//[^@/]*@", "//***@")).orElse("unset") + "]";
    }

    /** True when the database is PostgreSQL rather than the embedded H2. */
    public boolean postgres() {
        return dbUrl.startsWith("jdbc:postgresql:");
    }

    /** The base URL clients use, e.g. {@code http://127.0.0.1:8080}, for the port actually bound. */
    public String baseUrl(int boundPort) {
        String shown = host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
        if (shown.contains(":")) {
            shown = "[" + shown + "]";
        }
        return "http://" + shown + ":" + boundPort;
    }

    /**
     * An embedded H2 file is opened through H2's {@code retry:} file system: a thread interrupted
     * while H2 reads or writes the file (a server stopping interrupts its request threads once the
     * grace period ends) would otherwise close the file under every connection, and the database
     * with it, losing what was committed since H2 last wrote. Other URLs are used as given; so is
     * a file already named through another of H2's file systems.
     */
    private static String reopenedWhenInterrupted(String url) {
        String prefix = "jdbc:h2:";
        if (!url.regionMatches(true, 0, prefix, 0, prefix.length())) {
            return url;
        }
        String rest = url.substring(prefix.length());
        boolean file = rest.regionMatches(true, 0, "file:", 0, 5) || rest.startsWith("/") || rest.startsWith("./")
                || rest.startsWith("../") || rest.startsWith("~") || rest.matches("(?s)[A-Za-z]:[\\\\/].*");
        return file ? prefix + "retry:" + rest : url;
    }

    /**
     * The embedded database in {@code dataDir}, speaking enough PostgreSQL for the one set of
     * migrations. Its page cache is 8 MB (H2's default is 16 MB): the pages a read brings in are
     * what each young collection copies, so half the cache halves those pauses; a larger database
     * misses the cache on nearly every read either way (see BENCHMARKS.md).
     */
    public static String defaultH2Url(Path dataDir) {
        return "jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("mkto")
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_ON_EXIT=FALSE;CACHE_SIZE=8192";
    }

    /**
     * Reads flags and environment. Throws {@link ConfigException} naming the setting on any
     * problem, and {@link HelpRequested} for {@code --help} or {@code --version}.
     */
    public static ServerConfig parse(String[] args, Map<String, String> env) {
        String host = env.getOrDefault("MKTO_HOST", "127.0.0.1");
        String port = env.getOrDefault("MKTO_PORT", "8080");
        String dataDir = env.getOrDefault("MKTO_DATA_DIR", "data");
        String dbUrl = env.get("MKTO_DB_URL");
        String dbUser = env.getOrDefault("MKTO_DB_USER", "");
        String munchkin = env.getOrDefault("MKTO_MUNCHKIN_ID", DEFAULT_MUNCHKIN_ID);
        String redis = env.get("MKTO_REDIS_URL");
        List<Path> seeds = new ArrayList<>();
        String envSeeds = env.get("MKTO_SEED");
        if (envSeeds != null && !envSeeds.isBlank()) {
            for (String s : envSeeds.split(Pattern.quote(File.pathSeparator))) {
                if (!s.isBlank()) {
                    seeds.add(Path.of(s.strip()));
                }
            }
        }
        boolean flagSeeds = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String name = arg;
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            }
            switch (name) {
                case "--help", "-h" -> throw new HelpRequested(usage());
                case "--version" -> throw new HelpRequested("mkto-server " + version());
                case "--host", "--port", "--data-dir", "--db-url", "--db-user", "--seed", "--munchkin-id", "--redis-url" -> {
                    if (value == null) {
                        if (i + 1 >= args.length) {
                            throw new ConfigException(name.substring(2), "needs a value");
                        }
                        value = args[++i];
                    }
                    switch (name) {
                        case "--host" -> host = value;
                        case "--port" -> port = value;
                        case "--data-dir" -> dataDir = value;
                        case "--db-url" -> dbUrl = value;
                        case "--db-user" -> dbUser = value;
                        case "--munchkin-id" -> munchkin = value;
                        case "--redis-url" -> redis = value;
                        default -> {
                            if (!flagSeeds) {
                                seeds.clear(); // flags take precedence over MKTO_SEED
                                flagSeeds = true;
                            }
                            seeds.add(Path.of(value));
                        }
                    }
                }
                case "--db-password" -> throw new ConfigException("db-password",
                        "is not accepted as a flag (it would show in the process list); set MKTO_DB_PASSWORD");
                default -> throw new ConfigException(arg, "is not a known option; see --help");
            }
        }
        int portNumber;
        try {
            portNumber = Integer.parseInt(port.strip());
        } catch (NumberFormatException e) {
            throw new ConfigException("port", "must be a number, got '" + port + "'");
        }
        Path dir = Path.of(dataDir);
        String url = reopenedWhenInterrupted(dbUrl == null || dbUrl.isBlank() ? defaultH2Url(dir) : dbUrl.strip());
        Optional<String> adminToken = Optional.ofNullable(env.get("MKTO_ADMIN_TOKEN")).filter(s -> !s.isEmpty());
        Optional<byte[]> secretKey = Optional.ofNullable(env.get("MKTO_SECRET_KEY")).filter(s -> !s.isEmpty())
                .map(ServerConfig::decodeKey);
        return new ServerConfig(host.strip(), portNumber, dir, url, dbUser,
                env.getOrDefault("MKTO_DB_PASSWORD", ""), seeds, munchkin.strip(), adminToken, secretKey,
                Optional.ofNullable(redis).map(String::strip).filter(r -> !r.isEmpty()));
    }

    private static byte[] decodeKey(String base64) {
        try {
            return Base64.getDecoder().decode(base64.strip());
        } catch (IllegalArgumentException e) {
            throw new ConfigException("MKTO_SECRET_KEY", "is not valid base64");
        }
    }

    public static String version() {
        String v = ServerConfig.class.getPackage().getImplementationVersion();
        return v == null ? "development" : v;
    }

    public static String usage() {
        return """
                Usage: mkto-server [options]

                Options (each also as an environment variable):
                  --port N          port to listen on; 0 picks a free one (MKTO_PORT, default 8080)
                  --host ADDR       address to bind (MKTO_HOST, default 127.0.0.1; 0.0.0.0 for all)
                  --data-dir DIR    data directory: embedded database and key file (MKTO_DATA_DIR, default ./data)
                  --db-url URL      JDBC URL; jdbc:postgresql://… switches to PostgreSQL
                                    (MKTO_DB_URL, default an H2 database in the data directory)
                  --db-user NAME    database user (MKTO_DB_USER); the password only as MKTO_DB_PASSWORD
                  --seed FILE       apply a seed file at start; repeatable (MKTO_SEED, paths joined by ':')
                  --munchkin-id ID  Munchkin id of the instance created on first start
                                    (MKTO_MUNCHKIN_ID, default 123-ABC-456)
                  --redis-url URL   Redis shared by every process, for global limits (MKTO_REDIS_URL);
                                    without it each process counts limits in its own memory
                  --help, --version

                Secrets come only from the environment:
                  MKTO_ADMIN_TOKEN  admin credential (otherwise generated on first start and printed once)
                  MKTO_SECRET_KEY   base64 of 32 bytes encrypting client secrets at rest
                                    (otherwise DATA_DIR/secret.key, created on first start)
                """;
    }

    private static void require(boolean ok, String setting, String problem) {
        if (!ok) {
            throw new ConfigException(setting, problem);
        }
    }

    /** A setting with a bad value. */
    public static final class ConfigException extends IllegalArgumentException {
        public ConfigException(String setting, String problem) {
            super(setting + ": " + problem);
        }
    }

    /** {@code --help} or {@code --version}: the text to print, then exit 0. */
    public static final class HelpRequested extends RuntimeException {
        public HelpRequested(String text) {
            super(text, null, false, false);
        }
    }
}
