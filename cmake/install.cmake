# What `cmake --install` puts where, and the .deb built from the same rules
# by `cpack -G DEB`. The programs' own install(TARGETS) rules sit beside
# them in src/daemon and src/cli.
#
# Paths compiled into files (ExecStart= in the unit, paths in the man pages)
# come from CMAKE_INSTALL_PREFIX at configure time: configure with the
# prefix you install to (-DCMAKE_INSTALL_PREFIX=/usr for a package).

# The systemd user units go where the user manager looks: -DSYSTEMD_USER_UNIT_DIR
# if given; systemd's own directory when installing into /usr; else
# PREFIX/lib/systemd/user, which the user manager also searches for /usr/local.
set(SYSTEMD_USER_UNIT_DIR "" CACHE PATH "Where to install the systemd user units (default: from the prefix)")
if(SYSTEMD_USER_UNIT_DIR)
  set(STRETCH_USER_UNIT_DIR_FULL ${SYSTEMD_USER_UNIT_DIR})
else()
  pkg_get_variable(SYSTEMD_PC_USER_UNIT_DIR systemd systemduserunitdir)
  if(CMAKE_INSTALL_PREFIX STREQUAL "/usr" AND SYSTEMD_PC_USER_UNIT_DIR MATCHES "^/usr/")
    set(STRETCH_USER_UNIT_DIR_FULL ${SYSTEMD_PC_USER_UNIT_DIR})
  else()
    set(STRETCH_USER_UNIT_DIR_FULL ${CMAKE_INSTALL_PREFIX}/lib/systemd/user)
  endif()
endif()
# Relative to the prefix when inside it, so that cpack and --prefix carry it along.
set(STRETCH_USER_UNIT_DIR ${STRETCH_USER_UNIT_DIR_FULL})
cmake_path(IS_PREFIX CMAKE_INSTALL_PREFIX ${STRETCH_USER_UNIT_DIR_FULL} NORMALIZE unit_dir_in_prefix)
if(unit_dir_in_prefix)
  file(RELATIVE_PATH STRETCH_USER_UNIT_DIR ${CMAKE_INSTALL_PREFIX} ${STRETCH_USER_UNIT_DIR_FULL})
endif()
install(FILES ${CMAKE_BINARY_DIR}/systemd/stretchd.service ${CMAKE_BINARY_DIR}/systemd/stretchd.socket
        DESTINATION ${STRETCH_USER_UNIT_DIR})

# The default config with its comments, for `stretch setup` users to compare
# with and for anyone to copy (the binaries carry the same text built in).
install(FILES ${CMAKE_SOURCE_DIR}/config/stretch.toml DESTINATION ${CMAKE_INSTALL_DATADIR}/stretch)

# A desktop entry and an icon, so the desktop shows stretch's name and icon on
# its reminders and lists it in its notification settings (the Notify call's
# app_icon and desktop-entry hint name them).
install(FILES ${CMAKE_SOURCE_DIR}/data/stretch.desktop DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
install(FILES ${CMAKE_SOURCE_DIR}/data/stretch.svg DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps)
# stretchd's own, hidden, desktop entry: KWin grants its window list (for
# the full-screen check) only to the program a desktop file names by its
# path, so Exec= is where stretchd is installed, decided when installing
# (--prefix, cpack) like the zsh directory below.
install(CODE "
  file(READ \"${CMAKE_SOURCE_DIR}/data/stretchd.desktop.in\" text)
  string(REPLACE \"@STRETCHD_PATH@\" \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}/stretchd\" text \"\${text}\")
  file(WRITE \"${CMAKE_BINARY_DIR}/data/stretchd.desktop\" \"\${text}\")
  file(INSTALL \"${CMAKE_BINARY_DIR}/data/stretchd.desktop\"
       DESTINATION \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_DATADIR}/applications\"
       FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
")

file(GLOB STRETCH_DOCS ${CMAKE_SOURCE_DIR}/docs/*.md)
install(FILES ${CMAKE_SOURCE_DIR}/README.md ${STRETCH_DOCS} DESTINATION ${CMAKE_INSTALL_DOCDIR})

# Man pages, built when scdoc is found (man/CMakeLists.txt); they name the
# unit directory, so they come after it is known.
add_subdirectory(man)
foreach(page IN LISTS STRETCH_MAN_PAGES)
  string(REGEX MATCH "[0-9]\\.gz$" section ${page})
  string(SUBSTRING ${section} 0 1 section)
  install(FILES ${page} DESTINATION ${CMAKE_INSTALL_MANDIR}/man${section})
endforeach()

# Shell completions, where each shell's vendor files go on Debian.
install(FILES ${CMAKE_SOURCE_DIR}/completions/stretch.bash DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
        RENAME stretch)
# zsh searches vendor-completions on Debian and Ubuntu, site-functions under
# /usr/local; decided when installing, so that --prefix picks the right one.
install(CODE "
  if(CMAKE_INSTALL_PREFIX STREQUAL \"/usr\")
    set(zsh_dir \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions\")
  else()
    set(zsh_dir \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_DATADIR}/zsh/site-functions\")
  endif()
  file(INSTALL \"${CMAKE_SOURCE_DIR}/completions/_stretch\" DESTINATION \"\${zsh_dir}\"
       FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
")
install(FILES ${CMAKE_SOURCE_DIR}/completions/stretch.fish DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d)

# The .deb: cpack -G DEB in a build configured with -DCMAKE_INSTALL_PREFIX=/usr.
# The package installs under the configured prefix, so the paths compiled into
# the unit and the man pages are the paths in the package.
set(STRETCH_DEB_MAINTAINER "stretch developers <stretch@invalid>"
    CACHE STRING "The Maintainer field of the .deb")
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME stretch)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT ${STRETCH_DEB_MAINTAINER})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "break reminders for people who sit at a desk")
# Lines of the extended description; Debian wants them under 80 columns.
set(CPACK_PACKAGE_DESCRIPTION [[
stretchd runs in the background as a systemd user service, counts how
long you have been sitting without a break and, when a break is due,
suggests a stretch from its library in a desktop notification. The
stretch command shows, snoozes and marks breaks, guides you through a
stretch in the terminal and feeds status bars and prompts.]])
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# dpkg-shlibdeps computes Depends from the libraries the programs link.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# notification-daemon is also the virtual package every notification server provides.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "dunst | notification-daemon | xfce4-notifyd")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "bash-completion")
include(CPack)
