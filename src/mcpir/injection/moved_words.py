"""What a clause of a description names as moved: the model's context, the user's data,
secrets, files, and the places secrets are kept. Data tables for `mcpir.injection.clauses`,
each pattern gated (`gates.gate`) by words one of which every match holds.
"""

from __future__ import annotations

from mcpir.injection.gates import gate
from mcpir.injection.gates import rx as _rx

CONTEXT = gate(
    _rx(
        r"""\b(?:your|its|own|current|complete|full|entire|the\s+(?:assistant|model|agent)'?s?)\s+
    system\s+(?:prompt|instructions|message)|\b(?:conversation|chat|message|session|
    dialog(?:ue)?)\s+
    (?:history|log|logs|transcript|so\s+far)|\b(?:full|complete|entire|whole)\s+transcript|
    \btranscript\s+so\s+far|\b(?:whole|entire|full|complete)\s+(?:conversation|chat|thread|
    dialog(?:ue)?|context)|\byour\s+(?:full\s+|complete\s+|entire\s+|exact\s+)?(?:reply|replies|
    answers?|responses?|instructions|system|prompt|context)\b|\byour\s+(?:operating|initial|
    original|
    hidden|startup|base)\s+(?:instructions|prompt|rules)\b|\b(?:text|instructions|
    prompt)\s+you\s+were\s+
    (?:initiali[sz]ed|configured|given|started|set\s+up)\s+with\b|\binstructions\s+you\s+received\b|
    \b(?:entire|whole|full|complete)\s+(?:prior|previous|earlier)\s+(?:conversation|chat|thread)\b|
    \ball\s+(?:the\s+)?memor(?:y|ies)\b|\bmemories\b[^.;]{0,40}\babout\s+the\s+user\b|\b(?:last|
    previous|prior|recent|
    earlier)\s+(?:\d+\s+|few\s+)?(?:messages|turns|tool\s+outputs|outputs|exchanges)|\b(?:arguments|
    inputs?|params|parameters)\s+and\s+(?:results?|outputs?|responses?)|\b(?:tool|prior|previous)\s+
    (?:outputs|results)\b|\blist\s+of\s+tools\s+you|\binstructions?\s+you\s+(?:were|have\s+been)\s+
    given|\beverything\s+the\s+(?:user|person|human)|\b(?:complete|full|entire|whole)\s+history\b|
    \b(?:earlier|previously|before)\s+in\s+(?:the|this)\s+(?:chat|conversation|session|thread)\b|
    \bworking\s+notes\b|\bprivate\s+messages\b|\bcontext\s+window|\bmemory\s+contents|\b(?:its|
    your)\s+own\s+
    (?:instructions|prompt|system\s+prompt|rules)|\b(?:last|previous|prior|recent|
    earlier)\s+(?:\w+\s+)
    {0,2}?(?:messages|turns|outputs|exchanges|prompts|questions)|\bprevious\s+(?:assistant|user)\s+
    messages?\b|\b(?:tool|prior|previous)\s+(?:outputs?|results?)\b|\bfull\s+(?:arguments|results?|
    outputs?|inputs?)\b
    | \b(?:results?|outputs?|responses?)\s+(?:\w+\s+)?(?:by|from|of)\s+(?:every|all|each|any)\s+
        (?:\w+\s+){0,2}?tools?\b
    | \bsystem\s+prompt\s+you\s+(?:received|were\s+given|are\s+running)\b
    | \b(?:full|complete|entire|whole)\s+(?:chat|conversation)\s+transcript\b
    | \bwith\s+(?:[\w'\s,]{0,60},\s*)?the\s+system\s+prompt\b
    | \b(?:every|all|each)\s+(?:\w+\s+)?(?:messages?|prompts?|requests?)\s+(?:that\s+)?the\s+user\s+
        (?:has\s+)?(?:sent|written|typed|said|entered)\b""",
        lead=r"\b\w",
    ),
    "prompt instructions message history log logs transcript far conversation chat thread "
    "dialog dialogue context reply replies answer answers response responses system messages "
    "turns exchanges tool prior previous last recent earlier given everything window memory own "
    "questions prompts arguments inputs input params parameters full list working private "
    "complete entire whole earlier previously before operating initial original hidden startup "
    "base text received memory memories results result outputs output responses response",
)
USER_DATA = gate(
    _rx(
        r"""\b(?:user|person|human)'?s?\s+(?:\w+\s+){0,2}?(?:messages?|questions?|prompts?|
    quer(?:y|ies)|requests?|inputs?|
    contacts|data|files|documents|emails?|history|location|address|details)\b|\bthe\s+same\s+
    (?:message|content|text|data|file|body)\b|\bthe\s+original\s+\w+"""
    ),
    "user person human same original",
)
SECRET = gate(
    _rx(
        r"""\bapi[\s_-]?keys?\b|\bsecrets?\b|\bcredentials?\b|\bpasswords?\b|\bpassphrases?\b|
    \b(?:access|auth\w*|bearer|session|refresh|oauth|github|gitlab|slack|npm|pypi)[\s_-]+tokens?\b|
    \btokens?\s+(?:visible|you|from|in\s+(?:the|your))|\b(?:any|all|every)\s+tokens\b|\bcookies?\b|
    \b(?:private|ssh|signing|secret|access)[\s_-]+keys?\b|\.env\b(?!\.(?:example|sample|template|
    dist|defaults))|\benvironment\s+
    variables?|\benv\s+(?:vars|dump)|\benv_dump|\.ssh\b|\.aws\b|\bnetrc\b|\bpgpass\b|\bkeychain\b|
    \bmnemonic|\bseed\s+phrase|\bid_(?:rsa|ed25519|ecdsa|dsa)\b|\bkubeconfig\b|\bhosts\.ya?ml\b|
    \bwallet\.dat\b|[a-z0-9*]_(?:tokens?|secrets?|api_keys?|passwords?|credentials?)\b|
    \brecovery\s+(?:words|phrases?|codes?)\b|\bseed\s+words\b|\*\.pem\b|\.pem\b|\bid_\*|
    \bcard\s+numbers?\b|\bcredit\s+cards?\b|\b(?:printout|
    output|dump)\s+of\s+[`'"]?(?:env|printenv)\b|\.bashrc\b|\.zshrc\b|\.profile\b|
    \bapi[\s_-]?tokens?\b|\bsk-|\bghp_|\bgithub_pat_|\bglpat-|\bxox[abp]-|\bakia\b|\blogin\s+data\b|
    \bcookies\.sqlite\b|\bkey4\.db\b|\blogins\.json\b|\bchrome/default\b|\bdocker/config\.json|
    \.npmrc\b|\.pypirc\b|\bgit-credentials\b|\bkube/config\b|\bgcloud\b|\bmcp\.json\b|
    \bclaude_desktop_config\b|\bgnupg\b|\bid[\s_](?:rsa|ed25519|ecdsa)\b""",
        lead=r"\b\w|[.*]|[a-z0-9]_",  # "*.pem", "*_token": a glob starts with its star
    ),
    "api apikey apikeys secret secrets credential credentials password passwords passphrase "
    "passphrases token tokens cookie cookies key keys env environment ssh aws netrc pgpass "
    "keychain mnemonic mnemonics seed rsa ed25519 ecdsa dsa kubeconfig hosts wallet sk ghp glpat "
    "xoxa xoxb xoxp akia login key4 logins chrome docker npmrc pypirc kube gcloud mcp claude gnupg "
    "bashrc zshrc profile printout output dump recovery pem id card credit",
)
FILES = gate(
    _rx(
        r"""\bcontents?\s+of\s+(?:any|every|each|all|the|open|your|their|its)\b|\b(?:every|each|all|
    any)\s+(?:open\s+)?files?'?s?\s+contents?|\bfile\s+contents\b|\bsource\s+code\b|\b(?:entire|
    whole|full)\s+(?:repo|repository|workspace|codebase|project|disk|home)|\b(?:listing|tree|
    contents)\s+of\s+(?:the\s+)?user'?s\s+home|\bhome\s+director(?:y|ies)\b|\b(?:every|each|all|
    any)\s+
    \w+\s+(?:files?\s+)?in\s+~/"""
    ),
    "contents content files file source code repo repository workspace codebase project disk "
    "home listing tree directory directories every each all any",
)
# A place secrets are kept, rather than a secret named in passing ("your API key").
SECRET_SOURCE = gate(
    _rx(
        r"""~/|\.env\b(?!\.example)|\.ssh\b|\.aws\b|\bnetrc\b|\bpgpass\b|\bkeychain\b|
    \bid[\s_](?:rsa|
    ed25519|ecdsa)\b|\bkubeconfig\b|\bhosts\.ya?ml\b|\blogin\s+data\b|\bcookies\.sqlite\b|
    \bdocker/config\.json|\.npmrc\b|\.pypirc\b|\bgit-credentials\b|\bkube/config\b|\bgcloud\b|
    \bmcp\.json\b|\bclaude_desktop_config\b|\bgnupg\b|\benvironment\s+variables|\benv\s+vars\b|
    \bwallet\.dat\b|/etc/(?:passwd|shadow)|\bcredentials\.(?:json|db)\b|find-generic-password|
    \bsecurity\s+(?:find|dump)-|\bbrowser\s+profile\b|\b(?:printout|output|dump)\s+of\s+[`'"]?
    (?:env|printenv)\b|\.bashrc\b|\.zshrc\b""",
        lead=r"\b\w|[./~f]",
    ),
    "env ssh aws netrc pgpass keychain rsa ed25519 ecdsa kubeconfig hosts login cookies docker "
    "npmrc pypirc credentials kube gcloud mcp claude gnupg environment vars wallet etc password "
    "security browser printout output dump bashrc zshrc",
    ("~/",),
)
