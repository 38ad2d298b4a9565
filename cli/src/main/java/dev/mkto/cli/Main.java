package dev.mkto.cli;

/** The {@code mkto} command. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        int code = Mkto.run(Context.system(), args);
        System.out.flush();
        System.exit(code);
    }
}
