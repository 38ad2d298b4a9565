@NullMarked
package dev.mkto.cli.vault;

import org.jspecify.annotations.NullMarked;
