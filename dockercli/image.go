package dockercli

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
)

// Service is a server a container runs because of its image: nginx and
// httpd serve HTTP on port 80 when they run their default command.
type Service struct {
	Proto string // "tcp"
	Port  uint16
	HTTP  bool   // an HTTP server answering GET / with Body
	Body  string // the image's default page
}

// imageInfo is what the simulator knows of an image: its configuration
// (docker image inspect) and the servers its default command runs.
type imageInfo struct {
	entrypoint []string
	cmd        []string
	expose     []string // "80/tcp"
	env        []string
	servers    []string // argv[0] values that start the services
	services   []Service
	// handlesTerm: the default process exits 0 on SIGTERM; otherwise docker
	// stop kills it after the timeout (exit 137).
	handlesTerm bool
}

const pathEnv = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// nginxIndex is nginx's default /usr/share/nginx/html/index.html.
const nginxIndex = `<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href="http://nginx.org/">nginx.org</a>.<br/>
Commercial support is available at
<a href="http://nginx.com/">nginx.com</a>.</p>

<p><em>Thank you for using nginx.</em></p>
</body>
</html>
`

// httpdIndex is httpd's default htdocs/index.html.
const httpdIndex = "<html><body><h1>It works!</h1></body></html>\n"

// knownImages are the images whose configuration matters to a lab.
// Others run their command as given and serve nothing.
var knownImages = map[string]imageInfo{
	"alpine":            {cmd: []string{"/bin/sh"}, env: []string{pathEnv}},
	"busybox":           {cmd: []string{"sh"}, env: []string{pathEnv}},
	"ubuntu":            {cmd: []string{"/bin/bash"}, env: []string{pathEnv}},
	"debian":            {cmd: []string{"bash"}, env: []string{pathEnv}},
	"nicolaka/netshoot": {cmd: []string{"zsh"}, env: []string{pathEnv}},
	"nginx": {
		entrypoint: []string{"/docker-entrypoint.sh"}, cmd: []string{"nginx", "-g", "daemon off;"},
		expose: []string{"80/tcp"}, env: []string{pathEnv}, servers: []string{"nginx"}, handlesTerm: true,
		services: []Service{{Proto: "tcp", Port: 80, HTTP: true, Body: nginxIndex}},
	},
	"httpd": {
		cmd: []string{"httpd-foreground"}, expose: []string{"80/tcp"}, env: []string{pathEnv},
		servers: []string{"httpd-foreground", "httpd"}, handlesTerm: true,
		services: []Service{{Proto: "tcp", Port: 80, HTTP: true, Body: httpdIndex}},
	},
}

// lookupImage returns what is known of ref's repository (the zero info
// for unknown images).
func lookupImage(ref string) imageInfo {
	name, err := imageRef(ref)
	if err != nil {
		return imageInfo{}
	}
	return knownImages[name]
}

// command returns the process a container runs: the entrypoint (--entrypoint
// or the image's) and the command (the arguments after IMAGE, or the
// image's when there are none and the entrypoint was not replaced).
func (im imageInfo) command(entrypoint, args []string) (ep, cmd []string) {
	ep = im.entrypoint
	if entrypoint != nil {
		ep = entrypoint
	}
	switch {
	case len(args) > 0:
		cmd = args
	case entrypoint == nil:
		cmd = im.cmd
	}
	return slices.Clone(ep), slices.Clone(cmd)
}

// servicesFor returns the services a container of this image runs with
// this command: the image's, if the command starts its server.
func (im imageInfo) servicesFor(entrypoint, args []string) []Service {
	if len(im.services) == 0 || entrypoint != nil {
		return nil
	}
	if len(args) > 0 && !slices.Contains(im.servers, args[0]) {
		return nil
	}
	return slices.Clone(im.services)
}

// imageID is a stable stand-in for the image's content digest.
func imageID(ref string) string {
	name := ref
	if n, err := imageRef(ref); err == nil {
		name = n
		if i := strings.LastIndexByte(ref, ':'); i >= 0 && !strings.Contains(ref[i:], "/") {
			name += ref[i:]
		}
	}
	sum := sha256.Sum256([]byte(name))
	return "sha256:" + hex.EncodeToString(sum[:])
}
