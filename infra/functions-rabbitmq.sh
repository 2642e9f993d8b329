#!/usr/bin/env bash
# Which RabbitMQ trigger the Functions app builds against: the real packages or the compile-time stand-in.
#
#   infra/functions-rabbitmq.sh choose   prints Real or StandIn (the value of -p:CeleriacRabbitMQTrigger)
#
# Real when this machine's package sources restore both Microsoft.Azure.Functions.Worker.Extensions.RabbitMQ 2.1.0
# (the worker attribute) and Microsoft.Azure.WebJobs.Extensions.RabbitMQ 2.1.0 (the host extension the SDK's
# WorkerExtensions project pulls in); StandIn otherwise (src/Celeriac.Functions.RabbitMQStandIn: same
# functions.metadata, no host extension, so only the test host runs that build). CELERIAC_RABBITMQ_TRIGGER=Real or
# StandIn skips the probe, a restore of a scratch project (a second or two).
set -euo pipefail

die() { echo "functions-rabbitmq.sh: $*" >&2; exit 1; }

probe() {
  local dir rc=0
  dir=$(mktemp -d)
  # Outside the repository, so none of its props (central versions) apply.
  cat >"$dir/probe.csproj" <<'XML'
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><TargetFramework>net8.0</TargetFramework></PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Microsoft.Azure.Functions.Worker.Extensions.RabbitMQ" Version="2.1.0" />
    <PackageReference Include="Microsoft.Azure.WebJobs.Extensions.RabbitMQ" Version="2.1.0" />
  </ItemGroup>
</Project>
XML
  DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 timeout 120 dotnet restore "$dir/probe.csproj" -nologo -v q >/dev/null 2>&1 || rc=$?
  rm -rf "$dir"
  if ((rc == 0)); then echo Real; else echo StandIn; fi
}

cmd_choose() {
  case ${CELERIAC_RABBITMQ_TRIGGER:-} in
    Real|StandIn) echo "$CELERIAC_RABBITMQ_TRIGGER"; return ;;
    '') ;;
    *) die "CELERIAC_RABBITMQ_TRIGGER must be Real or StandIn, not '$CELERIAC_RABBITMQ_TRIGGER'" ;;
  esac
  probe
}

case ${1:-} in
  choose) cmd_choose ;;
  *) die "usage: $0 choose" ;;
esac
