package dev.mkto.cli.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.mkto.cli.Cli;
import dev.mkto.cli.ExitCode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The vault's crash safety, damage detection and keys, through the CLI and through {@link Vault} itself. */
class VaultTest {

    private static Cli.Result add(Cli cli, String name) {
        return cli.stdin("secret-of-" + name + "-0123456789\n")
                .run("auth", "add", name, "--endpoint", "https://123-ABC-456.mktorest.com/rest", "--client-id", "id-" + name, "--secret-stdin");
    }

    private static String names(Cli cli) {
        Cli.Result r = cli.run("auth", "list", "--json");
        assertThat(r.code()).as("%s", r).isZero();
        StringBuilder b = new StringBuilder();
        r.json().forEach(a -> b.append(a.path("name").asString()).append(' '));
        return b.toString().strip();
    }

    private static String randomKey() {
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        return Base64.getEncoder().encodeToString(k);
    }

    @Test
    void writeWhenItCrashesBetweenTheTempFileAndTheRenameThenTheOldVaultIsReadWholeAndTheLeftoverIsCleared() throws Exception {
        Cli cli = Cli.fresh();
        assertThat(add(cli, "first").code()).isZero();
        Path file = cli.home().resolve("vault");
        byte[] before = Files.readAllBytes(file);
        Vault vault = Vault.of(cli.context());
        vault.beforeRename(temp -> {
            Files.copy(temp, file.resolveSibling("vault.12345.tmp"), StandardCopyOption.REPLACE_EXISTING); // what a killed process leaves
            throw new IOException("simulated crash before the rename");
        });

        Throwable crash = catchThrowableOfType(RuntimeException.class, () -> vault.update(b -> "{\"version\":1,\"authentications\":[]}"
                .getBytes(StandardCharsets.UTF_8)));

        assertThat(crash).hasMessageContaining("simulated crash");
        assertThat(Files.readAllBytes(file)).isEqualTo(before);
        assertThat(names(cli)).isEqualTo("first");
        assertThat(add(cli, "second").code()).isZero();
        assertThat(names(cli)).isEqualTo("first second");
        try (Stream<Path> files = Files.list(cli.home())) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }
    }

    @Test
    void vaultWhenWrittenThenOwnerOnlyAndNoSecretInTheClear() throws Exception {
        Cli cli = Cli.fresh();
        add(cli, "a");

        Path file = cli.home().resolve("vault");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(cli.home()))).isEqualTo("rwx------");
        assertThat(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1)).startsWith("MKTOVAULT").doesNotContain("secret-of-a");
    }

    @Test
    void readWhenTheKeyIsWrongThenExit5SayingSoAndNothingIsRead() {
        Cli cli = Cli.fresh();
        add(cli, "a");

        Cli.Result r = cli.env("MKTO_VAULT_KEY", randomKey()).run("auth", "list", "--json");

        assertThat(r.code()).isEqualTo(ExitCode.VAULT_KEY);
        assertThat(r.err()).contains("the vault key is wrong");
        assertThat(r.json().path("error").path("exitCode").asInt()).isEqualTo(5);
        assertThat(r.out()).doesNotContain("\"name\"");
    }

    @Test
    void readWhenTheFileIsTruncatedThenExit6AndNothingIsRead() throws Exception {
        Cli cli = Cli.fresh();
        add(cli, "a");
        add(cli, "b");
        Path file = cli.home().resolve("vault");
        byte[] whole = Files.readAllBytes(file);

        for (int length : new int[] {0, 5, 40, whole.length / 2, whole.length - 1}) {
            Files.write(file, java.util.Arrays.copyOf(whole, length));
            Cli.Result r = cli.run("auth", "list");
            assertThat(r.code()).as("cut to %d bytes: %s", length, r).isEqualTo(ExitCode.VAULT_UNREADABLE);
            assertThat(r.err()).contains("damaged");
            assertThat(r.out()).isEmpty();
        }
    }

    @Test
    void readWhenACiphertextByteIsChangedThenExit6SayingTheKeyIsRightButTheContentIsDamaged() throws Exception {
        Cli cli = Cli.fresh();
        add(cli, "a");
        Path file = cli.home().resolve("vault");
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 20] ^= 0x01;
        Files.write(file, bytes);

        Cli.Result r = cli.run("auth", "show", "a");

        assertThat(r.code()).isEqualTo(ExitCode.VAULT_UNREADABLE);
        assertThat(r.err()).contains("the key is right but the content does not authenticate");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void readWhenTheFileIsNotAVaultThenExit6() throws Exception {
        Cli cli = Cli.fresh();
        Files.createDirectories(cli.home());
        Files.writeString(cli.home().resolve("vault"), "{\"authentications\": []} and some more text to be long enough for a header, padding padding");

        Cli.Result r = cli.run("auth", "list");

        assertThat(r.code()).isEqualTo(ExitCode.VAULT_UNREADABLE);
        assertThat(r.err()).contains("not an mkto vault");
    }

    @Test
    void passphraseWhenGivenInTheEnvironmentOrTypedThenTheSameVaultOpensAndAWrongOneIsExit5() {
        Cli cli = Cli.fresh().env("MKTO_VAULT_KEY", "correct horse battery staple");
        assertThat(add(cli, "a").code()).isZero();

        Cli.Result typed = cli.env("MKTO_VAULT_KEY", null).answers("correct horse battery staple").run("auth", "list");
        Cli.Result wrongTyped = cli.answers("correct horse battery stapler").run("auth", "list");
        Cli.Result nobody = cli.run("auth", "list");
        Cli.Result base64 = cli.env("MKTO_VAULT_KEY", randomKey()).run("auth", "list");

        assertThat(typed.code()).as("%s", typed).isZero();
        assertThat(typed.out()).contains("a");
        assertThat(wrongTyped.code()).isEqualTo(ExitCode.VAULT_KEY);
        assertThat(wrongTyped.err()).contains("the vault key is wrong");
        assertThat(nobody.code()).isEqualTo(ExitCode.VAULT_UNREADABLE);
        assertThat(nobody.err()).contains("MKTO_VAULT_KEY").contains("terminal");
        assertThat(base64.code()).as("a base64 text is a wrong passphrase here").isEqualTo(ExitCode.VAULT_KEY);
    }

    @Test
    void newVaultWhenNoKeyIsSetThenAPassphraseIsAskedTwice() {
        Cli cli = Cli.fresh().env("MKTO_VAULT_KEY", null);

        Cli.Result differ = cli.answers("secret-of-a-0123456789", "first passphrase", "second passphrase").run("auth", "add", "a",
                "--endpoint", "123-ABC-456", "--client-id", "id");
        Cli.Result ok = cli.answers("secret-of-a-0123456789", "a good passphrase", "a good passphrase").run("auth", "add", "a",
                "--endpoint", "123-ABC-456", "--client-id", "id");

        assertThat(differ.code()).isEqualTo(ExitCode.USAGE);
        assertThat(differ.err()).contains("passphrases differ");
        assertThat(ok.code()).as("%s", ok).isZero();
        assertThat(cli.answers("a good passphrase").run("auth", "show", "a").out()).contains("https://123-ABC-456.mktorest.com/rest");
    }

    @Test
    void keyringWhenSecretToolIsOnThePathThenTheKeyIsKeptThereAndFoundAgain() throws Exception {
        Path bin = Files.createTempDirectory("fake-secret-tool");
        Path store = bin.resolve("stored-key");
        Path tool = bin.resolve("secret-tool");
        Files.writeString(tool, "#!/bin/sh\n"
                + "case \"$1\" in\n"
                + "  store) cat > '" + store + "' ;;\n"
                + "  lookup) [ -f '" + store + "' ] && cat '" + store + "' || exit 1 ;;\n"
                + "  *) exit 2 ;;\n"
                + "esac\n");
        Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwx------"));
        Cli cli = Cli.fresh().env("MKTO_VAULT_KEY", null).env("MKTO_KEYRING", null).env("PATH", bin + ":/usr/bin:/bin");

        Cli.Result added = add(cli, "a");
        Cli.Result read = cli.run("auth", "list", "--json");

        assertThat(added.code()).as("%s", added).isZero();
        assertThat(added.err()).contains("OS keyring");
        assertThat(Vault.rawKey(Files.readString(store))).as("a random 256-bit key").isNotNull();
        assertThat(read.code()).isZero();
        assertThat(read.json().get(0).path("name").asString()).isEqualTo("a");

        Files.delete(store);
        Cli.Result lost = cli.run("auth", "list");
        assertThat(lost.code()).isEqualTo(ExitCode.VAULT_UNREADABLE);
        assertThat(lost.err()).contains("no key for the vault");
    }

    @Test
    void keyringWhenSecretToolHangsThenGivenUpAfterTheTimeOut() throws Exception {
        Path bin = Files.createTempDirectory("hung-secret-tool");
        Path tool = bin.resolve("secret-tool");
        Files.writeString(tool, "#!/bin/sh\nexec sleep 60\n"); // a locked keyring whose unlock prompt nobody answers
        Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwx------"));
        Keyring keyring = new Keyring(Map.of("PATH", bin + ":/usr/bin:/bin"), Duration.ofSeconds(1));

        Optional<String> found = assertTimeoutPreemptively(Duration.ofSeconds(15), () -> keyring.lookup(bin.resolve("vault")));

        assertThat(found).isEmpty();
    }

    @Test
    void keyringWhenSecretToolIsAbsentThenSkippedCleanlyForAPassphrase() {
        Cli cli = Cli.fresh().env("MKTO_VAULT_KEY", null).env("MKTO_KEYRING", null).env("PATH", "/nonexistent");

        Cli.Result r = cli.answers("secret-of-a-0123456789", "a good passphrase", "a good passphrase").run("auth", "add", "a",
                "--endpoint", "123-ABC-456", "--client-id", "id");

        assertThat(r.code()).as("%s", r).isZero();
        assertThat(r.err()).contains("locked with your passphrase");
    }

    @Test
    void updateWhenManyWritersAtOnceThenNoChangeIsLost() throws Exception {
        Cli cli = Cli.fresh();
        add(cli, "first");
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        java.util.List<java.util.concurrent.Future<Cli.Result>> results = new java.util.ArrayList<>();
        for (int i = 0; i < 8; i++) {
            String name = "w" + i;
            Cli own = Cli.fresh().env("MKTO_HOME", cli.home().toString()).env("MKTO_VAULT_KEY", cli.env().get("MKTO_VAULT_KEY"));
            results.add(pool.submit(() -> add(own, name)));
        }
        for (java.util.concurrent.Future<Cli.Result> r : results) {
            assertThat(r.get().code()).as("%s", r.get()).isZero();
        }
        pool.shutdown();

        assertThat(names(cli)).isEqualTo("first w0 w1 w2 w3 w4 w5 w6 w7");
    }
}
