@NullMarked
package dev.mkto.cli.admin;

import org.jspecify.annotations.NullMarked;
