@NullMarked
package dev.mkto.cli.usage;

import org.jspecify.annotations.NullMarked;
