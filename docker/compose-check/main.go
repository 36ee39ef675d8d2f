// compose-check loads a Compose file with compose-go, the loader `docker
// compose` itself uses: the file is read, interpolated with an env file and
// validated against the Compose specification's JSON schema, without a
// Docker engine. It prints the project's name and services, or the error.
// The profiles given after the env file are enabled (`docker compose
// --profile NAME`); services of other profiles are left out.
//
//	compose-check docker-compose.yml .env.example [PROFILE...]
package main

import (
	"context"
	"fmt"
	"os"
	"sort"

	"github.com/compose-spec/compose-go/v2/cli"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: compose-check COMPOSE_FILE ENV_FILE [PROFILE...]")
		os.Exit(2)
	}
	options, err := cli.NewProjectOptions(
		[]string{os.Args[1]},
		cli.WithEnvFiles(os.Args[2]),
		cli.WithDotEnv,
		cli.WithProfiles(os.Args[3:]),
	)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	project, err := options.LoadProject(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	names := make([]string, 0, len(project.Services))
	for name := range project.Services {
		names = append(names, name)
	}
	sort.Strings(names)
	fmt.Println(project.Name)
	for _, name := range names {
		fmt.Println(name)
	}
}
