"""The default content policy Reverie ships: categories, rules and rights holders, as data.

A migration installs it on every database (generation/migrations/0007_default_policy.py) and
`manage.py policy_install_default` installs rules a newer release added. Both only create what is
missing (by `key`), so a moderator's edits and switches in the admin survive.

How to read a rule (the same syntax as in the admin, see generation/policy.py):
- `terms`: one term per `|` here (one per line in the admin). A term is a word or phrase;
  plural endings (-s, -es, -x), case, accents, spacing, look-alike letters and leetspeak match
  by themselves. `word*` matches any ending; `re:<regex>` is a regular expression on the
  normalised text (lowercase ASCII words separated by single spaces).
- `near`: for "near" rules, a second list; the rule applies when a term and a `near` term are at
  most `window` words apart.
- `unless`: exceptions; a match with one of them within the window doesn't count.
Words are written as they normalise: no accents needed, French elisions dropped ("l'eponge" and
"eponge" are the same), hyphens are spaces.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_noop


def _t(*parts: str) -> str:
    """Terms joined from `|`-separated strings into the one-per-line form stored in the DB."""
    terms = []
    for part in parts:
        # A regular expression keeps its own "|".
        for term in [part] if part.startswith("re:") else part.split("|"):
            if term.strip():
                terms.append(term.strip())
    return "\n".join(terms)


# --- shared vocabularies (English and French) --------------------------------------------------

PEOPLE = _t(
    "man|men|woman|women|person|persons|people|boy|girl|guy|lady|ladies|gentleman|gentlemen",
    "teen|teens|teenager|child|children|kid|baby|babies|toddler|student|victim|body|bodies",
    "corpse|him|her|himself|herself|them|someone|somebody|couple|mother|mom|mum|father|dad",
    "wife|husband|brother|sister|friend|girlfriend|boyfriend|neighbor|neighbour|crowd|civilian",
    "hostage|prisoner|police officer|policeman|cop|soldier|worker|passerby|passersby",
    "pedestrian|protester|journalist|priest|teacher|nurse|doctor|human|humans|model|actress",
    "actor|blonde|brunette|redhead|wife|milf|schoolgirl|stranger|family|villager|he|she",
    "homme|hommes|femme|femmes|personne|gens|garcon|fille|gars|mec|meuf|nana|dame|monsieur",
    "madame|enfant|gamin|gamine|bebe|eleve|etudiant|etudiante|victime|corps|cadavre|lui|elle",
    "eux|elles|quelqu'un|mere|maman|pere|papa|epouse|mari|frere|soeur|ami|amie|copine|copain",
    "voisin|voisine|foule|civil|otage|prisonnier|policier|flic|soldat|passant|manifestant",
    "journaliste|prof|professeur|infirmiere|medecin|adolescent|adolescente|ado|humain|humains",
    "mannequin|actrice|acteur|blonde|brune|rousse|inconnu|inconnue|famille|villageois|il",
    "dude|dudes|bloke|blokes|lad|lads|chick|chicks|grandma|grandpa|granny|old man|old woman",
    "elderly|inmate|inmates|detainee|detainees|homeless|refugee|refugees|migrant|migrants",
    "citizen|citizens|tourist|tourists|customer|cashier|driver|classmate|coworker|colleague",
    "type|types|keum|meuf|meufs|mecs|individu|individus|bonhomme|vieux|vieille|grand mere",
    "grand pere|papy|mamie|sdf|detenu|detenus|migrant|refugie|refugies|touriste|touristes",
    "client|cliente|caissier|caissiere|chauffeur|collegue|camarade|pote|potes|gosse|gosses",
    "rival|rivals|enemy|enemies|ennemi|ennemis|traitor|traitors|traitre|snitch|balance",
    "gang member|gang members|cartel member|cartel members|membre|membres",
    "blesse|blessee|blesses|wounded man|wounded soldier|injured man|injured woman",
)
BODY = _t(
    "breast|breasts|boob|boobs|butt|buttocks|ass|crotch|groin|genitals|nipple|nipples|chest",
    "thigh|thighs|body|sein|seins|fesse|fesses|poitrine|entrejambe|cuisse|cuisses|corps",
)
CHILDREN = _t(
    "child|children|kid|kids|minor|minors|underage|toddler|baby|babies|infant|preteen|pre teen",
    "tween|little girl|little boy|young girl|young boy|schoolgirl|schoolboy|teen|teens",
    "teenage*|teenager|adolescent*|jailbait|loli|lolis|lolita|lolicon|shota|shotacon|pupil",
    "daughter|son|niece|nephew|stepdaughter|stepson|girl scout|boy scout|kindergarten",
    "re:(?:[1-9]|1[0-7]) ?(?:yo|y o|year olds?|years? old|yrs? old|ans)",
    "enfant|enfants|gamin|gamine|gamins|fillette|fillettes|petite fille|petit garcon|mineur",
    "mineure|mineurs|mineures|bebe|bebes|nourrisson|ado|ados|adolescent|adolescente",
    "collegien|collegienne|collegiennes|ecolier|ecoliere|ecolieres|lyceenne|fille de|fils",
    "gosse|gosses|mome|momes|preado|preados|neveu|niece|belle fille|maternelle",
)
SEXUAL_NEAR_CHILD = _t(
    "sex|sexual|sexually|sexy|naked|nude|nudes|nudity|undressed|undressing|undress|topless",
    "lingerie|underwear|panties|thong|bra|erotic*|seductive|seductively|sensual|provocative",
    "porn*|xxx|molest*|grope*|groping|fondl*|abuse*|rape*|raping|aroused|horny|striptease",
    "stripping|strips|pedo*|pedophil*|paedophil*|genital*|sexualised|sexualized|hentai",
    "being touched|touched by|touches her|touching her|touching him|inappropriately",
    "grooming|groomed|groomer|touche par|touchee par|embrasse sur la bouche",
    "kisses on the mouth|kissing on the mouth|on the lips|caresse|caresses|caressant",
    "caresser|caressing|caressed|caress|stroking her|stroking his",
    "sexe|sexuel|sexuelle|sexy|nu|nue|nus|nues|deshabille*|lingerie|sous vetements|culotte",
    "string|erotique|seduisant*|provocant*|attouchement*|viol|viole|violee|abus sexuel*",
    "pedophil*|pedo|pornographi*|porno|excite*|excitee|lascive|aguicheuse|strip tease",
)
IN_BED_WITH = _t(
    "in bed with|dans un lit avec|au lit avec|dans le lit avec|with an adult man",
    "avec un adulte|with an adult|with a grown man|avec un homme adulte|shirtless man",
    "adulte qui embrasse|adult kissing|adult kisses|grown man kissing|homme qui embrasse",
    "embrasse sur la bouche|kisses on the mouth|kissing on the mouth|kiss on the mouth",
)
SEXUAL_STRONG = _t(
    "porn|porno|porns|pornographic|pornography|pornstar|porn star|xxx|nsfw|hentai|rule 34",
    "sex scene|having sex|have sex|has sex|had sex|sex tape|sexual intercourse|intercourse",
    "blowjob|blow job|handjob|hand job|oral sex|anal sex|anal|cunnilingus|fellatio",
    "deepthroat|deep throat|masturbat*|orgasm*|orgy|orgies|gangbang|gang bang|threesome",
    "bdsm|bondage|dildo*|sex toy|vibrator|erection|erect penis|penis|penises|vagina|vaginas",
    "vulva|clitoris|genitals|genitalia|pubic hair|tits|titties|boobies|cumshot|cum shot|cum",
    "creampie|stripper|strippers|striptease|strip tease|strip club|lap dance|lapdance",
    "prostitute|prostitution|hooker|brothel|sex worker|onlyfans|camgirl|cam girl|sexting",
    "nudes|nudity|full frontal|in the nude|sexually explicit|explicit sex|explicit scene",
    "erotic|erotica|sexual|sexually|sex|horny|lewd|smut|kinky|doggy style|doggystyle",
    "missionary position|cowgirl position|camel toe|upskirt|downblouse|voyeur*|bukkake|incest",
    "rape|rapes|raped|raping|rapist|molest*|sexual assault|grope|groped|groping|sexual abuse",
    "nudist*|naturist*|skinny dipping|wet t shirt|twerking naked|fuck*|fucking|boning|shag",
    "shagging|bang her|banging her|squirting|moaning in bed|seins nus|topless",
    "porno|pornographique|pornographie|scene de sexe|relation sexuelle|relations sexuelles",
    "rapport sexuel|rapports sexuels|sexuel|sexuelle|sexuels|sexuelles|sexuellement",
    "baise|baisent|baisant|se faire baiser|fellation|branlette|branler|masturbation|masturber",
    "ejacul*|orgasme|orgasmes|partouze|plan a trois|sodomie|sodomise*|levrette|penis|vagin",
    "clitoris|nichons|tetons|strip tease|stripteaseuse|prostituee|prostituees|prostitution",
    "strip teaseuse*|stripteaseuse*|pute|putes|escort girl|viol|viols|violer|violee|violees",
    "viole|violeur|attouchement*",
    "agression sexuelle|erotique|erotisme|obscene|gode|godemiche|sextoy|nu integral|nudite",
    "sexe|faire l'amour|font l'amour|couchent ensemble|coucher avec|a poil|tout nu|toute nue",
    "exhibitionni*|exhibitionist*|exhibe|exhiber|s'exhibe|partie de jambes en l'air",
    "sucer|suce|suceuse|enculer|encule|jouir|jerking off|jerk off|jerks off|jerked off",
    "wanking|wank|wanks|se branle|se branler|making love|make love|makes love|made love",
    "cumming|cums|cum on|seins a l'air|fesses a l'air|cul a l'air|sexe a l'air",
    "explicit|lesbian sex|gay sex|lesbian porn|gay porn|video x|videos x|film x|films x",
    "re:(?:fai\\w*|font|fera\\w*|fis|fit) (?:l )?amour",
    "classe x|x rated|rated x|film pour adultes|films pour adultes|adult film|adult films",
    "adult video|adult videos|adult content|contenu pour adultes|video pour adultes",
    "nothing underneath|nothing under her|rien dessous|rien en dessous|sans rien dessous",
    "no underwear|without underwear|sans culotte|sans soutien gorge|braless|no bra",
    "touching herself|touching himself|touches herself|touches himself|se touche",
    "cunni|cunnis|broute minou|tailler une pipe|taille une pipe|taillait une pipe",
    "faire une pipe|fait une pipe|turlute|sperme|semen|jizz|rimjob|footjob|titjob|titfuck",
    "fisting|pegging|sixty nine|soixante neuf|sex video|sextape|hardcore porn|hardcore sex",
    "plan cul|plans cul|coucherie|se faire prendre|gorge profonde|se caresse|se caressent",
    "caresses intimes|caresse ses seins|caresses her breasts|fondles her|fondling her",
    "sucks his|sucking his|licking her pussy|cunt|cock sucking|cocksucker|dick pic",
    "nudes leak*|leaked nudes|nude selfie|nude photo*|photos nues|photo nue|onlyfans*",
    "mym|pornhub|xvideos|xhamster|youporn|brazzers|chaturbate|stripchat",
    "takes off her bra|taking off her bra|takes off her panties|enleve son soutien gorge",
    "enleve sa culotte|retire sa culotte|retire son soutien gorge|nue integrale",
    "a oilp|nichon*|milf|milfs|cougar sex|sugar daddy sex|one night stand sex",
    "excitee sexuellement|sexually aroused|aroused|bande dur|il bande",
)
NAKED = _t(
    "naked|nude|undressed|undressing|unclothed|without clothes|no clothes|no clothing",
    "wearing nothing|bottomless|stripped|strips|stripping|gets naked|bare|exposed",
    "nu|nue|nus|nues|denude*|deshabille*|sans vetements|sans habits|devetu*|a poil",
)
NAKED_ALONE = _t(
    "naked|nude|undressed|unclothed|without clothes|without any clothes|no clothes|no clothing",
    "wearing nothing|bottomless|nu|nue|nus|nues|denude|denudee|denudes|denudees|deshabille",
    "deshabillee|deshabilles|deshabillees|sans vetements|sans aucun vetement|a poil|devetu",
    "devetue|tout nu|toute nue|en tenue d'eve|en tenue d'adam|in the buff|birthday suit",
)
NAKED_EXCEPTIONS = _t(
    "naked mole rat*|mole rat*|naked eye|naked eyes|naked flame*|naked truth|naked tree*",
    "naked branch*|naked wire*|naked bulb*|naked light bulb*|naked cable*|naked snail*",
    "nude lipstick|nude makeup|nude nail*|nude heels|nude shade*|nude tone*|nude colo*",
    "nude beige|nude palette|nude pink|nude dress|nude fabric|nude shoes|nude sandals",
    "bare feet|barefoot|bare hands|bare walls|bare trees|bare branches|bare shoulders",
    "bare arms|bare bones|bare minimum|bare room|bare soil|bare rock|pieds nus|torse nu",
    "oeil nu|a l'oeil nu|mains nues|a mains nues|murs nus|mur nu|arbres nus|branches nues",
    "fil nu|fils nus|verite nue|la verite nue|emperor's new clothes|emperor has no clothes",
    "nude statue|naked statue|statue nue|nude sculpture|marble statue|greek statue",
    "statue grecque|statue de marbre|nude painting|renaissance nude|ampoule nue",
    "couleur nude|teinte nude|rouge a levres nude|vernis nude|nu artistique|nu feminin peint",
    "naked chicken|poulet nu|nude noodles|mur nu|piece nue|ciel nu|paysage nu",
)
SUGGESTIVE = _t(
    "seductive|seductively|sensual|sensually|provocative|lingerie|see through|busty|busty",
    "underwear|panties|thong|g string|undress*|striptease|twerk*|lascivious|sultry|slutty",
    "aguicheuse|lascive|sensuelle|seduisante|provocante|sous vetements|culotte|string",
    "soutien gorge|petite tenue|deshabill*|sulfureuse",
)

WEAPONS = _t(
    "knife|knives|blade|machete|axe|ax|sword|gun|guns|pistol|rifle|shotgun|firearm|ak 47",
    "chainsaw|hammer|bat|crowbar|cleaver|razor|dagger|couteau|couteaux|lame|machette|hache",
    "epee|arme|armes|fusil|pistolet|revolver|tronconneuse|marteau|batte|poignard|rasoir",
)
GORE_OUTCOMES = _t(
    "blood|bloody|bleeding|bleeds|bled|wound|wounds|wounded|dead|dying|corpse|corpses",
    "in the head|in the chest|murder*|guts|gore|severed|stabbed|killed|sang|sanglant*",
    "saigne|saignant|saignement|blesse|blessee|blesses|mort|morte|morts|cadavre|cadavres",
    "tripes|tue|tuee|tues|poignarde|poignardee|dans la tete|egorge*",
)
HARM_VERBS = _t(
    "stab|stabs|stabbed|stabbing|strangle*|strangling|behead*|decapitat*|slit|slits|slitting",
    "torture*|torturing|murder|murders|murdered|murdering|slaughter|slaughters|slaughtered",
    "slaughtering|executed|execution|beat to death|beaten to death|beats to death",
    "beating to death|gun down|guns down|gunned down|gunning down|shot dead|shoots dead",
    "open fire on|opens fire on|opened fire on|massacre*|mutilat*|dismember*|maim*|lynch*",
    "burn alive|burned alive|burnt alive|burning alive|set on fire|sets on fire|set fire to",
    "sets fire to|run over by a car|hit by a car|choke|chokes|choked|choking|drowns|drowned",
    "drowning|hanged|gallows|attack*|assault*|impal*|skin alive|skinned alive|throw acid",
    "throws acid|acid attack|bludgeon*|assassinat*|chopped off|hacked off|cut off his",
    "cut off her|cuts off his|cuts off her|beat up|beats up|beating up|beaten up|torched",
    "eaten alive|mauled|mauling|torn apart|ripped apart|ripping apart|tearing apart",
    "poignard*|massacr*|egorg*|etrangl*|tabass*|passer a tabac|tortur*|execute|executee",
    "executes|execution|pendre|pendu|pendue|pendus|pendaison|potence|noie|noye|noyee",
    "brule vif|brulee vive|brules vifs|bruler vif|ecrase par|renverse par une voiture",
    "decoupe en morceaux|demembr*|lapid*|mutil*|decapit*|frappe a mort|battu a mort",
    "battue a mort|lyncher|lynche|assassin*|attaque|attaquent|attaquee|agress*|asphyxi*",
    "coupe la main|couper la main|coupe la tete|couper la tete|immole*|immolation",
    "stomp|stomps|stomped|stomping|trample|trampled|trampling|pummel*|batter|battered",
    "battering|mauls|whip|whips|whipped|whipping|flog*|electrocut*|waterboard*|scald*",
    "knifed|knifing|gouge*|gouging|break his neck|breaks his neck|snap his neck|snaps his neck",
    "crush his skull|crushes his skull|smash his head|smashes his head|bash his head",
    "bashes his head|garrot*|suffocat*|smother*|poison|poisons|poisoned|poisoning|flay*",
    "boil alive|boiled alive|bury alive|buried alive|burying alive|riddled with bullets",
    "pietine|pietinent|pietiner|pietinee|roue de coups|rouer de coups|rouee de coups",
    "fouett*|electrocut*|etouff*|empoisonn*|enterre vivant|enterree vivante|ecorch*",
    "arrache les yeux|arracher les yeux|brise la nuque|briser la nuque|fracasse le crane",
    "fracasser le crane|defonce le crane|crible de balles|criblee de balles",
    "cribles de balles|criblees de balles|etrip*|depec*|eventr*",
    "beaten to a pulp|beat to a pulp|beats to a pulp|beating to a pulp|curb stomp*",
    "smash his face|smashes his face|smashed his face|smash her face|smashed her face",
    "kicked in the head|kicks him in the head|kicking him in the head|headshot|head shot",
    "slaps to death|bleeds out|bleeding out|slash his throat|slash her throat",
    "cogne*|frapp*|passe a tabac|passage a tabac|lyncha*|egorgea*|defigur*|disfigur*",
    "massacring|butcher*|hack to death|hacks to death|hacked to death",
    "cutting up|cuts up|cut up|chopping up|chops up|chopped up|hacking up|hacks up|sawing up",
    "planter au couteau|plante au couteau|se fait planter|se faire planter|coup de couteau",
    "coups de couteau|surine*|larde de coups|crucified|crucifies|crucifying|crucifixion",
    "crucifie|crucifiee|crucifier|head blown off|heads blown off|blows his head off",
    "blew his head off|blowing his head off|shot in the back|shot in the head|balle dans la tete",
    "beaten|being beaten|gets beaten|got beaten|hit by a train|hit by a truck|hit by a bus",
    "struck by a train|fauche par|percute par|gassed|gassing|gas chamber|gas chambers",
    "chambre a gaz|chambres a gaz|gazer|gazent|acheve|achever|achevent|finish him off",
    "finishes him off|finishing him off|arrache les ongles|arracher les ongles|ongles arraches",
    "pulling out his nails|pulls out his nails|ripping out his nails|defoncer la tete",
    "defonce la tete|eclate la tete|eclater la tete|exploser la tete|explose la tete",
    "coups de batte|coups de poing|coups de pied|coups de marteau|a coups de|baseball bat",
    "arm ripped off|arm torn off|ripped off by|torn off by|dragged behind|traine derriere",
    "tearing apart|tears apart|dragged and beaten|stoned|stoning|lapide",
)
HARM_EXCEPTIONS = _t(
    "heart attack|panic attack|anxiety attack|asthma attack|attack on titan|crise cardiaque",
    "crise d'angoisse|crise de panique|crise d'asthme|dance move|pirouette|drowning in",
    "noye sous|choking on laughter|chess|video game|jeu video|pillow fight|snowball fight",
    "water gun|nerf gun|laser tag|paintball|toy soldier*|soldats de plomb|dragon|dragons",
    "zombie|zombies|robot|robots|monster|monsters|alien|aliens|orc|orcs|monstre|monstres",
    "extraterrestre*|kraken|godzilla|dinosaur*|dinosaure*|mosquito*|moustique*|seagull*",
    "poison ivy|poison apple|pomme empoisonnee|snow white|blanche neige|whipped cream",
    "creme fouettee|whipping cream|cream|creme|eggs|oeufs|batter mix|pancake batter|pate",
    "cake batter|batter up|baseball|cricket|whip it|horse|cheval|jockey",
    "mouette*|tickle*|chatouill*|perfectly executed|well executed|flawlessly executed",
    "executed a perfect|executes a perfect|executing a perfect",
    "torch|torches|torchlight|flambeau*|butcher shop|butcher's|boucherie|butcher knife",
    "frappe de balle|frappe au but|frappe le ballon|ball|ballon|tennis|golf|drum*",
    "batterie|tambour*|door|porte|keyboard|clavier|piano|punching bag|sac de frappe",
    "chicken|poulet|vegetables|legumes|onion*|oignon*|meat|viande|fish|poisson|carrot*",
    "carotte*|potato*|fruit*|bread|pain|cake|gateau|wood|bois|paper|papier|cardboard",
    "carton|fabric|tissu|pizza|jesus|christ|painting|peinture|icon|icone|church|eglise",
    "renaissance|stained glass|vitrail|passion play|chemin de croix|stations of the cross",
    "eggs beaten|beaten eggs|oeufs battus|beaten path|sentier battu|chemins battus",
    "beaten in the final|beaten on points|aux points|finale|carpet|tapis|rug",
)
KILL = _t(
    "kill|kills|killed|killing|killer|killers|tuer|tue|tuee|tues|tuees|tuant|tuent|abattre",
    "abat|abattent|abattant",
    "abattu par balle*|abattue par balle*|abattus par balle*",
)
KILL_EXCEPTIONS = _t(
    "killing time|kill time|kill some time|killer whale*|killing it|killed it|kill the lights",
    "killer heels|killer look|killer smile|killer view|lady killer|killer app|kill switch",
    "killed the game|killing the game|tuer le temps|tue le temps|abattre un arbre|arbre",
    "arbres|tree|trees|mur|travail|boulot|weeds|mauvaises herbes|bacteria|bacteries|germs",
    "microbes|zombie*|dragon*|monster*|monstre*|robot*|alien*|orc|orcs|video game|jeu video",
    "mosquito*|moustique*|mouche*|flies|fly|cafard*|cockroach*|cartes|cards|quilles",
)
SHOOT = _t(
    "shoot|shoots|shooting|shot|shooter|shooters|gunning|fires at|fired at|firing at",
    "opens fire|opened fire|tire sur|tirer sur|tirant sur|a tire sur|tirent sur|fusille*",
    "sniper|snipers|tireur d'elite|snipe|snipes|sniping",
    "fusiller|flingue*|descend a bout portant|a bout portant|execute d'une balle",
)
SHOOT_EXCEPTIONS = _t(
    "shooting star*|star|stars|etoile*|photo|photos|photograph*|photoshoot|photo shoot",
    "cinematic|shot of|shot on|shot with|establishing shot|shot from above|shot from below",
    "camera|shooting a film|shooting a movie|shooting a video|shooting a scene|film shoot",
    "video shoot|fashion shoot|shooting a commercial|shooting a music video|selfie|portrait",
    "hoops|basketball|basket|ball|ballon|goal|but|penalty|free throw|arrow|arrows|fleche*",
    "bow|arc|archery|tir a l'arc|target|cible|clay|skeet|espresso|tequila|vodka|whisky",
    "drink|coffee|cafe|shot glass|big shot|long shot|close shot|wide shot|close up|screenshot",
    "tracking shot|aerial shot|drone shot|slow motion shot|b roll|plan large|gros plan",
    "rope|corde|laisse|leash|cigarette|pipe|ficelle|cheveux|hair|manche|sleeve|rideau|curtain",
    "tournage|seance photo|appareil photo|water gun|water pistol|pistolet a eau|nerf|laser tag",
    "paintball|toy|toys|jouet|jouets|video game|jeu video|zombie*|alien*|robot*|dragon*",
    "monster*|monstre*|fireworks|confetti|t shirt cannon|vaccine|flu shot|injection|vaccin",
    "lasers|laser|space|rocket|fusee|pool|billiard*|billard|marbles|billes|snooker|golf",
    "hockey|puck|soccer|football|rugby|handball|netball|shooting range|stand de tir",
    "giving a shot|gives a shot|got a shot|get a shot|booster|jab|nurse|patient|hospital",
    "infirmiere|piqure|dose|doses",
)
SELF_HARM_STRONG = _t(
    "setting himself on fire|sets himself on fire|set himself on fire|set herself on fire",
    "setting herself on fire|sets herself on fire|self immolation|s'immole|s'immoler",
    "hang yourself|hanging yourself|kill yourself|killing yourself|kys|hang themselves",
    "tue toi|tuez vous|suicide toi|shoots himself|shooting himself|shot himself|shoot myself",
    "shoot herself|shot herself|shooting herself|shoots herself|se tire une balle",
    "s'est tire une balle|se tirer une balle|gun to his head|gun to her head|gun to my head",
    "gun to his own head|pistolet sur la tempe|arme sur la tempe|canon dans la bouche",
    "gun in his mouth|gun in her mouth|se jeter sous|se jette sous|jumps in front of a train",
    "jumped in front of a train|jumping in front of a train|throws himself in front of",
    "throws herself in front of|threw himself in front of|threw herself in front of",
    "suicide|suicides|suicidal|commit suicide|commits suicide|committing suicide",
    "kill myself|kill himself|kill herself|kill themselves|kills himself|kills herself",
    "killing myself|killing himself|killing herself|killed himself|killed herself",
    "end my life|end his life|end her life|end their life|ending my life|ending his life",
    "ending her life|take my own life|take his own life|take her own life|took his own life",
    "took her own life|taking his own life|taking her own life|self harm|self harming",
    "self injury|self injuring|self mutilation|cutting myself|cut myself|cuts himself",
    "cuts herself|cutting herself|cutting himself|cut himself|cut herself|slit her wrists",
    "slit his wrists|slits her wrists|slits his wrists|slitting wrists|slit wrists",
    "wrists slit|slashed wrists|slashing wrists|hang myself|hang himself|hang herself",
    "hanging himself|hanging herself|hanged himself|hanged herself|hangs himself|hangs herself",
    "jumps to his death|jumps to her death|jumped to his death|jumped to her death",
    "jump to my death|jumping to his death|jumping to her death|overdose*|od on pills",
    "pills to die|want to die|wants to die|wanting to die|pro ana|thinspo|thinspiration",
    "starving herself|starving himself|purging|noose around|noose on|put a noose",
    "se suicider|se suicide|suicidaire|suicidaires|se tuer|se tue|me tuer|te tuer|se pendre",
    "se pend|s'est pendu|s'est pendue|mettre fin a ses jours|mettre fin a sa vie",
    "met fin a ses jours|mettre fin a mes jours|en finir avec la vie|se taillader",
    "se scarifier|scarification*|automutilation|s'automutiler|se mutiler|se mutile",
    "scarifie|scarifient|se scarifie|s'automutile|se taillade|se tailladent|self cutting",
    "ending it all|end it all|doesn't want to live|no reason to live|last goodbye letter",
    "goodbye letter before|lettre d'adieu avant de|se supprimer|se foutre en l'air",
    "se flinguer|se flingue|se jeter par la fenetre|se jette par la fenetre",
    "se noyer volontairement|se laisser mourir|se laisse mourir|before killing herself",
    "before killing himself|avant de se tuer|avant de se suicider",
    "s'ouvrir les veines|ouvrir les veines|se couper les veines|couper les veines",
    "veines ouvertes|veines tailladees|se jeter du haut|se jeter d'un pont|se jette d'un pont",
    "se jette du haut|se defenestrer|se defenestre|defenestration|surdose|avaler des cachets",
    "envie de mourir|veut mourir|veux mourir|corde au cou|se faire du mal",
    "se blesser volontairement",
    "gun in their mouth|gun in his own mouth|gun in her own mouth|barrel in his mouth",
    "barrel in her mouth|barrel in their mouth|pulls the trigger on himself|unalive*",
    "pulling the trigger on himself|pulling the trigger on herself|sewerslide|kms",
    "overdose on purpose|overdosing on purpose|od on pills|took all the pills|takes all the pills",
    "whole bottle of pills|entire bottle of pills|tout le tube de cachets|boite de cachets",
    "jumps off a bridge|jumping off a bridge|jumped off a bridge|jump off a bridge",
    "jumps off the roof|jumping off the roof|jumps off a building|jumping off a building",
    "saute du pont|saute d'un pont|saute du toit|saute d'un immeuble|saute dans le vide",
    "razor to her wrist|razor to his wrist|blade to her wrist|blade to his wrist",
    "hanging herself|hanging himself|hangs herself|hangs himself|hanged himself",
    "hanged herself|rope around his neck|rope around her neck|corde autour du cou",
    "slit her wrists|slit his wrists|slits her wrists|slits his wrists|cuts her wrists",
    "cuts his wrists|cutting her wrists|cutting his wrists|se taillade les veines",
    "se tranche les veines|se coupe les poignets|se couper les poignets|self hatred cutting",
    "pro mia|anorexia tips|conseils anorexie|starve myself|starving myself|se faire vomir",
    "se tranche la gorge|se trancher la gorge|se coupe la gorge|slits his own throat",
    "slits her own throat|cuts his own throat|cuts her own throat|drown herself",
    "drown himself|drowning herself|drowning himself|se noyer|se noie volontairement",
    "drinking bleach|drinks bleach|drank bleach|boit de la javel|boire de la javel",
    "cigarette burns on her arm|cigarette burns on his arm|se brule avec une cigarette",
    "pret a sauter|prete a sauter|ready to jump|about to jump|au bord du toit|edge of the roof",
)
WRISTS = _t(
    "wrist|wrists|vein|veins|forearm|forearms|arm|arms|thigh|thighs|skin|poignet|poignets",
    "veine|veines|avant bras|bras|cuisse|cuisses|peau",
)
CUTTING = _t(
    "cut|cuts|cutting|slit|slits|slitting|slash|slashes|slashing|razor|razors|blade|blades",
    "coupe|couper|coupant|taillade*|tranche*|entaille*|ouvre|ouvrir|lame|lames|rasoir",
)
JUMPING = _t(
    "jump|jumps|jumping|jumped|leap|leaps|leaping|throw himself|throws himself",
    "throw herself|throws herself|sauter|saute|se jeter|se jette|se lance",
)
JUMP_DEATH = _t(
    "to their death|to my death|jump to death|vers la mort|death jump",
    "to die|to his death|to her death|to end it|end it all|suicide|pour mourir|pour en finir",
    "en finir|sa mort|to end her life|to end his life|end my life|mettre fin a",
)
MEANS = _t(
    JUMPING,
    "pills|pill|medication|medications|meds|sleeping pills|overdose|poison|bleach",
    "rope|noose|gun|pistol|razor|blade|train|bridge|roof|cliff|window|medicaments|medicament",
    "cachets|comprimes|somniferes|poison|javel|corde|pistolet|fusil|rasoir|lame|train|pont",
    "toit|falaise|fenetre|avale|avaler|swallow*|takes|taking|prend|prendre",
)
BODY_PARTS = _t(
    "head|heads|arm|arms|hand|hands|leg|legs|finger|fingers|limb|limbs|ear|ears|tongue|foot",
    "feet|nose|eye|eyes|penis|tete|tetes|bras|main|mains|jambe|jambes|doigt|doigts|oreille",
    "oreilles|langue|pied|pieds|nez|oeil|yeux",
)

HATE_STRONG = _t(
    "nazi|nazis|neonazi|neonazis|neo nazi|neo nazis|nazism|swastika|swastikas|heil hitler",
    "sieg heil|white power|white supremac*|white pride|kkk|ku klux klan|klansman|klansmen",
    "1488|aryan race|aryan nation|master race|race war|ethnic cleansing|gas the jews",
    "holocaust denial|holocaust never happened|isis flag|isis propaganda|jihadi propaganda",
    "jihadist propaganda|terrorist propaganda|al qaeda propaganda|nigger*|nigga*|faggot*",
    "fag|fags|kike|kikes|chink|chinks|re:spics?|wetback*|raghead*|towelhead*|tranny",
    "trannies|retard|retards|retarded|gook|gooks|untermensch*|subhuman*|sand nigger*",
    "bougnoul*|bicot*|youpin*|youtre*|negro|negros|negre|negres|negresse|sale arabe",
    "sales arabes|sale noir|sales noirs|sale juif|sales juifs|sale pede|sales pedes|pede",
    "pedes|croix gammee|croix gammees|salut nazi|salut hitlerien|supremac*|supremat*",
    "suprematie blanche|grand remplacement|mort aux juifs|mort aux arabes|mort aux noirs",
    "mort aux musulmans|mort aux gays|mort aux pedes|pogrom*|epuration ethnique",
    "nettoyage ethnique|bamboula|chinetoque*|niakoue*|burning cross|cross burning",
    "white genocide|great replacement|jewish lobby|lobby juif|zog|globalist jews",
    "insultes racistes|racist insults|racial slurs|racist slurs|injures racistes",
    "cris de singe|monkey chants|monkey noises|chants racistes|racist chants",
    "islamisation de la france|invasion migratoire|race traitor|traitre a sa race",
    "burning a cross|burn a cross|burns a cross|burning crosses|white hoods|klan hood*",
    "croix en feu|croix enflammee|brulent une croix|brule une croix|cagoules blanches",
    "burning the quran|burning a quran|burning the koran|burn the quran|bruler le coran",
    "brule le coran|sous homme|sous hommes|race inferieure|races inferieures|inferior race",
    "antisemit*|anti semit*|racist caricature|caricature raciste|antisemite*|islamophob*",
    "racist propaganda|propagande raciste|propagande antisemite|caricature antisemite",
    "isis fighter*|isis recruit*|isis video|isis execution|isis soldier*|isis militant*",
    "daesh|daech|etat islamique|islamic state fighter*|islamic state flag|jihadist*",
    "djihadist*|jihadi|jihadis|al qaeda|al qaida|recruitment video for|propaganda video",
    "video de propagande|terrorist recruitment|recrutement terroriste|beheading video",
    "martyrdom video|mein kampf|third reich|troisieme reich|waffen ss|ss officer*",
    "hitler youth|jeunesses hitleriennes|white nationalist*|nationaliste blanc*|proud boys",
    "atomwaffen|totenkopf|fourteen words|14 words|rahowa|god hates fags|god hates gays",
    "death to america|death to israel|mort a israel|mort a l'amerique|kill all jews",
    "kill all muslims|ratonnade*|chasse aux arabes|chasse aux noirs|chasse aux juifs",
    "chasse aux gays|chasse aux migrants|racist skinhead*|skinhead gang*|bande de skinheads",
    "les arabes dehors|arabes dehors|les noirs dehors|les juifs dehors|immigres dehors",
    "dehors les arabes|dehors les noirs|dehors les juifs|dehors les immigres",
    "foreigners out|immigrants out|muslims out|jews out|refugees go home|migrants go home",
    "women are inferior|women belong in the kitchen|belong in the kitchen|women are property",
    "les femmes sont inferieures|femmes a la cuisine|la femme a la cuisine|holocaust hoax",
    "holocaust was a hoax|holocaust is a hoax|holocaust is a lie|holocaust was a lie",
    "holocaust didn't happen|holocaust did not happen|holocaust never happened",
    "la shoah n'a pas existe|shoah est un mensonge|holocauste est un mensonge|negationnis*",
    "holocaust denier*|gas chambers are a lie|chambres a gaz n'ont jamais existe",
    "slavery was good|esclavage etait bien|celebrating slavery|whipped by his master",
    "burning a synagogue|burn a synagogue|burning a mosque|burn a mosque|incendier une mosquee",
    "incendier une synagogue|brulent une synagogue|brulent une mosquee|singe a un joueur",
)
HATE_ACTIONS = _t(
    "kill|kills|killing|exterminate*|exterminating|extermination|eradicate*|gas|gassing",
    "deport all|get rid of|wipe out|death to|hang|hanging|lynch*|burn|burning|shoot",
    "hate|hates|hating|beat up|beating|attack*|massacre*|genocide|purge|cleanse|ban all",
    "exterminer|extermine|exterminons|eradiquer|gazer|gazez|deporter|mort aux|a mort les",
    "tuer|tuez|tuons|bruler|brulez|pendre|pendez|lyncher|massacrer|virer tous|dehors les",
    "degagez|haine|hair|detester|frapper|tabasser|casser du|frappe|frappent|tabasse",
    "dehors|go back to africa|rentrez en afrique|remigration|get out of our country",
    "tabassent|attaque|attaquent|agresse|agressent|beat|beats|beating|punch*|kick*",
    "spat on|spit on|spitting on|crache sur|crachent sur|crachat*|called terrorists",
    "traites de terroristes",
)
HATE_INSULTS = _t(
    "vermin|cockroach|cockroaches|rats|animals|subhuman*|parasite*|filth|filthy|savages",
    "apes|monkeys|disease|plague|inferior|scum|pigs|dogs|terrorists|invaders|criminals",
    "vermine|cafards|rats|animaux|sous hommes|parasites|salete|sauvages|singes|maladie",
    "peste|inferieurs|racaille|porcs|chiens|terroristes|envahisseurs|criminels",
    "guenon|guenons|cancer|burning in hell|bruler en enfer|brulent en enfer|rotting in hell",
    "rapists|violeurs|controlling the world|control the world|controlent le monde",
    "thieves|thief|voleurs|voleuses|kidnappers|stealing children|steal children",
    "voleurs d'enfants|controlling the banks|control the banks|controlent les medias",
    "controlent les banques|controlling the media|traites comme des chiens|like dogs",
    "comme des chiens|comme des animaux|like animals",
    "dog eaters|dog eater|mangeurs de chiens|eat dogs|mangent des chiens|bat eaters|cat eaters",
    "controlling the media|are evil|sont le mal|mentally ill|malades mentaux|freaks",
    "abomination|abominations|degenerates|degeneres|perverts|pervers|should be deported",
    "doivent etre expulses|must be deported|tous des voleurs|all thieves",
)
GROUPS = _t(
    "jew|jews|jewish|muslim|muslims|islam|arab|arabs|black people|blacks|whites|white people",
    "asian|asians|chinese|mexican|mexicans|immigrant|immigrants|migrant|migrants|refugee",
    "refugees|gay|gays|lesbian|lesbians|homosexual*|trans people|transgender*|christian",
    "christians|catholic|catholics|hindu|hindus|sikh|sikhs|roma|gypsy|gypsies|africans",
    "latinos|indians|disabled|juif|juifs|juive|juives|musulman|musulmans|musulmane",
    "musulmanes|arabe|arabes|noir|noirs|noire|noires|blanc|blancs|asiatique|asiatiques",
    "chinois|immigre|immigres|migrant|migrants|refugie|refugies|homosexuel*|lesbienne",
    "lesbiennes|transgenre*|chretien|chretiens|catholique|catholiques|hindou|hindous",
    "rom|roms|gitan|gitans|tsigane|tsiganes|africain|africains|maghrebin*|handicape*",
    "racist|racists|raciste|racistes",
)

NEWS_FORMATS = _t(
    "cellphone|cell phone|smartphone|phone video|mobile phone footage|filmed by a witness",
    "filmed by a passerby|filme par un temoin|telephone portable|filmed on a phone",
    "news|breaking news|breaking|news footage|news report|news broadcast|newscast|newsreel",
    "live footage|live coverage|live report|bodycam|body cam|body camera|body worn camera",
    "dashcam|dash cam|cctv|security camera|security footage|surveillance footage",
    "surveillance camera|surveillance video|leaked|leak|leaked footage|leaked video",
    "footage|eyewitness video|eyewitness footage|amateur video|phone footage|viral video",
    "livestream|live stream|anchor|news anchor|reporter|press conference|documentary footage",
    "found footage|real footage|authentic footage|caught on camera|caught on tape|on tape",
    "cnn|bbc|fox news|msnbc|sky news|al jazeera|reuters|associated press|afp|abc news",
    "nbc news|cbs news|journal televise|jt|flash info|flash special|edition speciale",
    "alerte info|derniere minute|en direct|direct|reportage|images de|video de surveillance",
    "videosurveillance|camera de surveillance|camera pieton|images exclusives|video amateur",
    "fuite|fuitee|fuitees|video fuitee|images fuitees|temoin|bfm|bfmtv|tf1|france 2",
    "france 24|lci|cnews|franceinfo|images reelles|vraies images|filme par un passant",
    "journal de 20h|20h|info|infos|actualite|actualites|camera embarquee",
)
NEWS_EVENTS = _t(
    "attack|attacks|attacked|attacking|terrorist attack|terror attack|terrorist|terrorists",
    "terrorism|bombing|bombings|bomb|bombs|bombed|explosion|explosions|explode|explodes",
    "exploded|exploding|blast|blasts|blown up|blows up|blew up|shooting|shootings|gunfire",
    "gunman|gunmen|shooter|collapse|collapses|collapsed|collapsing|on fire|in flames",
    "burning|burns down|burned down|burnt down|fire|arrest|arrests|arrested|arresting",
    "handcuff*|taken into custody|detained|raid|raided|crash|crashes|crashed|crashing",
    "plane crash|derail*|riot|riots|rioting|massacre|assassinat*|assassinated|kidnap*",
    "hostage*|earthquake|tsunami|flood|floods|flooding|flooded|hurricane|tornado|wildfire",
    "nuclear|nuke|nuked|missile|missiles|airstrike*|air strike*|invasion|invade*|coup",
    "martial law|evacuat*|casualties|dead|killed|victims|stampede|looting|destroyed",
    "destruction|sinking|sinks|sank|hijack*|stabbing|shot|beaten|police brutality",
    "attentat|attentats|terroriste|terroristes|explose|exploser|explosent|fusillade*",
    "tirs|coups de feu|effondre*|effondrement|s'effondre|incendie*|en feu|brule|brulent",
    "arrestation*|arrete|arretee|arretes|menotte*|interpell*|garde a vue|crash|accident",
    "deraill*|emeute*|pillage*|enlevement*|otage*|seisme|tremblement de terre|inondation*",
    "ouragan|tornade|feu de foret|missile*|frappe*|bombardement*|bombarde*|invasion",
    "coup d'etat|loi martiale|evacu*|victimes|morts|blesses|detruit*|destruction|naufrage",
    "prise d'otages|poignard*|agression|agresse*|bavure|violences policieres",
)
NEWS_EXCEPTIONS = _t(
    "weather|weather forecast|meteo|fireworks|firework|feu d'artifice|feux d'artifice",
    "shooting star*|etoile filante|etoiles filantes|sports|goal|but|match|heart attack",
    "good news|bonne nouvelle|bonnes nouvelles|cat|cats|kitten|puppy|dog|dogs|chat|chien",
    "campfire|camp fire|fireplace|fire pit|bonfire|cheminee|feu de camp|feu de bois",
    "of colors|of colour|of colours|of color|of flavor|of flavors|de couleurs|de saveurs",
    "confetti|joy|laughter|joie|rires|candle|candles|bougie|bougies|cooking|recipe|recette",
    "fire breathing|fire dancer|fire dancers|cracheur de feu|dragon|dragons|volcano|volcan",
    "video game|jeu video|toy|toys|lego|legos|jouet|jouets|cartoon|dessin anime|animated",
    "birthday|anniversaire|wedding|mariage|concert|festival",
)
LANDMARKS = _t(
    "eiffel tower|tour eiffel|louvre|notre dame|arc de triomphe|sacre coeur|mont saint michel",
    "white house|maison blanche|capitol|capitole|pentagon|pentagone|statue of liberty",
    "statue de la liberte|big ben|buckingham palace|palais de buckingham|kremlin|times square",
    "empire state building|golden gate bridge|golden gate|twin towers|tours jumelles",
    "world trade center|colosseum|colisee|taj mahal|sydney opera house|burj khalifa|kaaba",
    "mecca|la mecque|vatican|st peter's basilica|basilique saint pierre|champs elysees",
    "gare du nord|gare de lyon|gare saint lazare|elysee|matignon|assemblee nationale",
    "senat|stade de france|parc des princes|westminster|houses of parliament|tower bridge",
    "brandenburg gate|porte de brandebourg|red square|place rouge|tiananmen|western wall",
    "mur des lamentations|al aqsa|dome of the rock|wall street|trump tower|la defense",
    "tour montparnasse|versailles|chateau de versailles|disneyland|hollywood sign|central park",
    "london bridge|downing street|10 downing street|reichstag|sagrada familia|acropolis",
    "acropole|parthenon|grand mosque|grande mosquee|notre dame de paris|mont blanc tunnel",
    "tunnel sous la manche|channel tunnel|eurostar|metro de paris|paris metro|rer",
)
CITIES = _t(
    "paris|london|londres|new york|nyc|manhattan|washington|moscow|moscou|kyiv|kiev|tokyo",
    "berlin|madrid|rome|jerusalem|tel aviv|gaza|beirut|beyrouth|marseille|lyon|toulouse",
    "bordeaux|lille|strasbourg|nantes|montpellier|brussels|bruxelles|montreal|quebec|geneva",
    "geneve|los angeles|chicago|san francisco|beijing|pekin|shanghai|taipei|seoul|mumbai",
    "delhi|istanbul|dubai|cairo|le caire|tehran|teheran|kabul|kaboul|baghdad|bagdad|damascus",
    "damas|amsterdam|vienna|vienne|barcelona|barcelone|milan|munich|warsaw|varsovie",
    "stockholm|oslo|copenhagen|copenhague|dublin|lisbon|lisbonne|athens|athenes|miami|boston",
    "las vegas|hong kong|singapore|singapour|sydney|toronto|mexico city|rio de janeiro",
    "sao paulo|buenos aires|lagos|nairobi|johannesburg|algiers|alger|tunis|casablanca|rabat",
    "dakar|abidjan|kinshasa|nice|rennes|reims|grenoble|dijon|rouen|le havre|nancy|metz|brest",
    "france|united states|usa|america|england|uk|britain|germany|allemagne|ukraine|russia",
    "russie|israel|china|chine|japan|japon|india|inde|iran|taiwan|north korea|coree du nord",
)
CITY_DISASTERS = _t(
    "bomb|bombs|bomb going off|goes off|going off|went off|detonat*|explodes|exploding",
    "exploded|explode|on fire|burns|burning|en feu|qui brule|attack|attacked|attacking",
    "terrorist attack|terror attack|attentat|attentats|bombing|bombings|bombed|explosion",
    "explosions|blown up|blew up|blows up|nuclear attack|nuclear strike|nuked|nuclear bomb",
    "atomic bomb|bombe atomique|bombe nucleaire|frappe nucleaire|missile strike|missile",
    "missiles|airstrike*|air strike*|frappe*|bombardement*|bombarde*|invasion|invaded",
    "envahi*|mass shooting|fusillade*|hostage*|prise d'otages|otage*|riot*|emeute*",
    "collapse*|collapsing|effondre*|s'effondre|destroyed|destruction|detruit*|in ruins|en ruine*",
    "invading|invades|invade|tanks in|tanks rolling|chars dans|chars d'assaut",
    "on fire|in flames|en feu|en flammes|burning|burns|brule|brulent|massacre*|tuerie*",
    "coup d'etat|coup|martial law|loi martiale|crash*|plane crashes|avion s'ecrase",
    "earthquake|seisme|tsunami|flooded|inonde*|under water|sous l'eau|evacuated|evacue*",
)
CITY_EXCEPTIONS = _t(
    "fireworks|firework|feu d'artifice|feux d'artifice|explosion of colo*|explosion of flavo*",
    "explosion de couleurs|explosion de saveurs|confetti|colors|colours|couleurs|saveurs",
    "flavors|flavours|flowers|fleurs",
    "fire of love|postcard|carte postale|history|histoire|historical|historique|1944|1789",
    "documentary about history|lego|toy|toys|jouet|jouets|cartoon|dessin anime|minecraft",
    "godzilla|king kong|alien invasion|zombie*|dinosaur*|dinosaure*|kaiju",
)

# --- real people: names that name one person --------------------------------------------------
# (key suffix, the names). A prompt using that person's own verified cameo is exempt.
REAL_PEOPLE: list[tuple[str, str]] = [
    ("trump", "donald trump|trump|melania trump|ivanka trump|donald trump jr"),
    ("biden", "joe biden|biden|jill biden|hunter biden"),
    ("obama", "barack obama|obama|michelle obama|obamas"),
    ("harris", "kamala harris|kamala"),
    ("clinton", "hillary clinton|bill clinton|hillary"),
    ("bush", "george w bush|george bush|george h w bush|jeb bush"),
    (
        "us_politicians",
        "mike pence|jd vance|j d vance|vance|nancy pelosi|bernie sanders"
        "|alexandria ocasio cortez|aoc|mitch mcconnell|ron desantis|desantis|rfk jr"
        "|robert f kennedy|marco rubio|elon musk|musk|elon|pete hegseth|hegseth|tucker carlson",
    ),
    (
        "us_past",
        "ronald reagan|reagan|john f kennedy|jfk|richard nixon|nixon|abraham lincoln"
        "|martin luther king|mlk|malcolm x|jimmy carter|rosa parks",
    ),
    ("macron", "emmanuel macron|macron|brigitte macron|manu macron"),
    (
        "french_politicians",
        "marine le pen|le pen|jordan bardella|bardella|jean luc melenchon"
        "|melenchon|nicolas sarkozy|sarkozy|francois hollande|hollande|jacques chirac|chirac"
        "|charles de gaulle|de gaulle|francois mitterrand|mitterrand|gabriel attal|attal"
        "|edouard philippe|eric zemmour|zemmour|francois bayrou|bayrou|michel barnier|barnier"
        "|elisabeth borne|sebastien lecornu|lecornu|gerald darmanin|darmanin|raphael glucksmann"
        "|glucksmann|marion marechal|laurent wauquiez|wauquiez|anne hidalgo|hidalgo"
        "|valerie pecresse|pecresse|jean marie le pen|francois fillon|fillon|segolene royal"
        "|dominique de villepin|de villepin|villepin|manuel valls|valls|rachida dati|dati"
        "|fabien roussel|olivier faure|francois ruffin|ruffin|mathilde panot|marine tondelier",
    ),
    ("putin", "vladimir putin|putin|poutine|vladimir poutine"),
    ("zelensky", "volodymyr zelensky|zelensky|zelenskyy|zelenski|zelensky's|volodymyr zelenski"),
    ("xi", "xi jinping|jinping|president xi|mao zedong|mao tse tung|chairman mao"),
    (
        "world_leaders",
        "benjamin netanyahu|netanyahu|bibi netanyahu|narendra modi|modi"
        "|recep tayyip erdogan|erdogan|kim jong un|kim jong il|kim il sung|angela merkel|merkel"
        "|olaf scholz|scholz|friedrich merz|rishi sunak|sunak|keir starmer|starmer"
        "|boris johnson|theresa may|margaret thatcher|thatcher|winston churchill|churchill"
        "|giorgia meloni|meloni|justin trudeau|trudeau|mark carney|lula da silva|lula"
        "|jair bolsonaro|bolsonaro|javier milei|milei|pedro sanchez|viktor orban|orban"
        "|mohammed bin salman|bin salman|mbs|ali khamenei|khamenei|bashar al assad"
        "|bashar assad|assad|nicolas maduro|maduro|hugo chavez|chavez|fidel castro|castro"
        "|claudia sheinbaum|cyril ramaphosa|nelson mandela|mandela|mahmoud abbas"
        "|yahya sinwar|sinwar|ismail haniyeh|alexei navalny|navalny|lukashenko"
        "|ursula von der leyen|von der leyen|pope francis|pope leo|pape francois|pape leon"
        "|the pope|le pape|pope|pape"
        "|dalai lama|king charles|charles iii|queen elizabeth|elizabeth ii|prince william"
        "|prince harry|meghan markle|kate middleton|princess diana|lady diana|lady di",
    ),
    (
        "dictators",
        "adolf hitler|hitler|joseph stalin|stalin|staline|benito mussolini"
        "|mussolini|pol pot|osama bin laden|bin laden|saddam hussein|saddam|idi amin"
        "|muammar gaddafi|gaddafi|kadhafi|abu bakr al baghdadi|al baghdadi|che guevara",
    ),
    (
        "tech",
        "mark zuckerberg|zuckerberg|jeff bezos|bezos|bill gates|steve jobs|tim cook"
        "|sam altman|jensen huang|sundar pichai|satya nadella|larry page|sergey brin"
        "|peter thiel|warren buffett|xavier niel|bernard arnault|vincent bollore|bollore",
    ),
    (
        "music",
        "taylor swift|beyonce|rihanna|lady gaga|justin bieber|selena gomez"
        "|ariana grande|billie eilish|drake|kanye west|kanye|ye west|eminem|snoop dogg"
        "|jay z|nicki minaj|cardi b|dua lipa|ed sheeran|adele|harry styles|bad bunny"
        "|the weeknd|travis scott|kendrick lamar|michael jackson|elvis presley|elvis"
        "|madonna|britney spears|shakira|jennifer lopez|j lo|celine dion|stromae"
        "|aya nakamura|johnny hallyday|edith piaf|serge gainsbourg|mylene farmer|jul"
        "|booba|orelsan|nekfeu|angele|david guetta|daft punk|freddie mercury|john lennon"
        "|paul mccartney|mick jagger|kurt cobain|tupac|2pac|notorious big|whitney houston"
        "|sean combs|diddy|p diddy|r kelly|chris brown|sabrina carpenter|olivia rodrigo"
        "|doja cat|post malone|katy perry|miley cyrus|lana del rey|charli xcx|blackpink"
        "|bts|jungkook|jimin|kpop idol",
    ),
    (
        "screen",
        "tom cruise|keanu reeves|scarlett johansson|emma watson|leonardo dicaprio"
        "|dicaprio|brad pitt|angelina jolie|jennifer aniston|tom hanks|morgan freeman"
        "|will smith|dwayne johnson|the rock|jackie chan|johnny depp|amber heard"
        "|margot robbie|zendaya|timothee chalamet|chalamet|ryan reynolds|ryan gosling"
        "|robert downey jr|chris hemsworth|chris evans|jennifer lawrence|natalie portman"
        "|meryl streep|denzel washington|samuel l jackson|nicole kidman|sydney sweeney"
        "|pedro pascal|keira knightley|emma stone|anne hathaway|gal gadot|henry cavill"
        "|jason momoa|vin diesel|arnold schwarzenegger|schwarzenegger|sylvester stallone"
        "|stallone|marilyn monroe|audrey hepburn|charlie chaplin|bruce lee|robin williams"
        "|heath ledger|oprah winfrey|oprah|ellen degeneres|kim kardashian|kardashian"
        "|kardashians|kylie jenner|kendall jenner|khloe kardashian|paris hilton|mrbeast"
        "|mr beast|pewdiepie|logan paul|jake paul|kai cenat|ishowspeed|andrew tate|joe rogan"
        "|omar sy|jean dujardin|marion cotillard|gerard depardieu|depardieu|lea seydoux"
        "|vincent cassel|monica bellucci|catherine deneuve|brigitte bardot|alain delon"
        "|jean paul belmondo|louis de funes|sophie marceau|isabelle adjani|juliette binoche"
        "|kev adams|jamel debbouze|gad elmaleh|squeezie|cyprien|norman thavaud|mcfly et carlito"
        "|inoxtag|michou|tibo inshape|cyril hanouna|hanouna|nabilla",
    ),
    (
        "sports",
        "cristiano ronaldo|ronaldo|lionel messi|messi|neymar|kylian mbappe|mbappe"
        "|zinedine zidane|zidane|antoine griezmann|griezmann|karim benzema|benzema"
        "|paul pogba|pogba|erling haaland|haaland|lebron james|lebron|michael jordan"
        "|kobe bryant|stephen curry|serena williams|venus williams|roger federer|federer"
        "|rafael nadal|nadal|novak djokovic|djokovic|usain bolt|tiger woods|simone biles"
        "|conor mcgregor|mike tyson|muhammad ali|pele|diego maradona|maradona|tom brady"
        "|travis kelce|teddy riner|leon marchand|victor wembanyama|wembanyama|tony parker"
        "|lewis hamilton|max verstappen|verstappen|michael schumacher|ousmane dembele|dembele"
        "|thierry henry|didier deschamps|franck ribery|shohei ohtani|caitlin clark",
    ),
    (
        "others",
        "greta thunberg|thunberg|jeffrey epstein|epstein|ghislaine maxwell"
        "|harvey weinstein|weinstein|charles manson|ted bundy|jeffrey dahmer|dahmer"
        "|anne frank|albert einstein|stephen hawking|mother teresa|gandhi|mahatma gandhi"
        "|thomas pesquet|jordan peterson|julian assange|assange|edward snowden|snowden"
        "|salman rushdie|malala|malala yousafzai|jacinda ardern|mark rutte|emmanuel todd"
        "|napoleon bonaparte|bonaparte|napoleon|prophet muhammad|prophete mahomet|mahomet"
        "|alex jones|ben shapiro|candace owens|chuck schumer|ted cruz|marjorie taylor greene"
        "|gavin newsom|pete buttigieg|nikki haley|liz truss|nigel farage|farage|david cameron"
        "|tony blair|gordon brown|jeremy corbyn|sadiq khan",
    ),
    (
        "france_public",
        "antoine dupont|didier raoult|raoult|florent pagny|patrick bruel|vianney|louane|zaz"
        "|kendji girac|kendji|soprano rappeur|maitre gims|gims|dadju|indila|clara luciani"
        "|pierre niney|isabelle huppert|audrey tautou|eva green|laetitia casta|fabrice luchini"
        "|christian clavier|dany boon|kad merad|florence foresti|jean reno|franck dubosc"
        "|michel sardou|charles aznavour|aznavour|jacques brel|francis cabrel|jean jacques"
        " goldman|vanessa paradis|lily rose depp|ninho|bigflo et oli|amir haddad|slimane"
        "|vitaa|m pokora|matt pokora|lena situations|lena mahfouf|jean marie bigard"
        "|laurent ruquier|patrick sebastien|michel drucker|stephane bern|anne claire coudray"
        "|gilles bouleau|lea salame|pascal praud|jean jacques bourdin|yann barthes|elise lucet"
        "|tony estanguet|marie jose perec|laure manaudou|florent manaudou|yannick noah"
        "|gael monfils|sebastien loeb|pierre gasly|alain prost|romain ntamack|olivier giroud"
        "|hugo lloris|ngolo kante|n golo kante|kante|aurelien tchouameni|camavinga"
        "|marcus thuram|lilian thuram|michel platini|platini|eric cantona|cantona"
        "|zlatan ibrahimovic|zlatan|kevin de bruyne|luka modric|mohamed salah|salah"
        "|robert lewandowski|harry kane|jude bellingham|vinicius|lamine yamal",
    ),
]
REAL_PEOPLE_EXCEPTIONS = _t(
    "napoleon cake|napoleon pastry|mille feuille|millefeuille|napoleon dynamite",
    "napoleon complex|gateau napoleon|zaz the|salah prayer|the salah|salat",
    "pope costume|costume de pape|medieval pope|pape medieval|pope of the|chess|echecs",
    "trump card|trump cards|trumps card|poutine fries|poutine with|plate of poutine|eat poutine",
    "eating poutine|cheese curds|gravy|frites|fromage en grains|une poutine|la poutine au",
    "poutine quebecoise|assiette de poutine|musk ox|musk oxen|musk deer|musk rose|musk melon",
    "the rock formation|a rock|rock climbing|rocky|the rock music|bush fire|bushfire|the bush",
    "a bush|bushes|rose bush|bush baby|hollande sauce|jul calendar|drake and|male duck|drakes",
    "the drake|mallard|duck|ducks|canard|elvis impersonator contest|pele mele|pele mele",
    "modi operandi|modus|madonna and child|madonna with child|the madonna|vierge|virgin",
    "renaissance|painting|icon|chavez ravine|castro district|churchill downs|lincoln car",
    "lincoln memorial|lincoln tunnel|lincoln center|einstein ring|einstein bagel",
    "the rock paper|rock band|rock n roll|rock and roll|the rocks|on the rocks|rocks",
    "pape de fiction|pape fictif|fictional pope|pope of fiction|jfk airport|from jfk|at jfk",
    "to jfk|jfk international|aeroport jfk|jfk terminal",
)

# --- rights holders: characters and franchises set to block -----------------------------------
# (key, name, holder, aliases, exceptions)
RIGHTS_HOLDERS: list[tuple[str, str, str, str, str]] = [
    ("mickey", "Mickey Mouse", "Disney", "mickey|minnie mouse|mickey's|mouse ears of mickey", ""),
    (
        "donald_duck",
        "Donald Duck",
        "Disney",
        "donald duck|daisy duck|scrooge mcduck|picsou"
        "|oncle picsou|huey dewey and louie|riri fifi et loulou",
        "",
    ),
    ("goofy", "Goofy", "Disney", "goofy and pluto|pluto the dog|dingo et pluto", ""),
    (
        "frozen",
        "Frozen (Elsa, Anna, Olaf)",
        "Disney",
        "frozen movie|frozen 2|la reine des neiges"
        "|reine des neiges|queen elsa|princess elsa|elsa from frozen|elsa and anna|elsa et anna"
        "|olaf the snowman|olaf le bonhomme de neige|arendelle|let it go disney",
        "",
    ),
    (
        "lion_king",
        "The Lion King",
        "Disney",
        "lion king|roi lion|simba|mufasa|scar and simba"
        "|timon and pumbaa|timon et pumbaa|hakuna matata",
        "",
    ),
    (
        "toy_story",
        "Toy Story",
        "Disney / Pixar",
        "toy story|buzz lightyear|buzz l'eclair|woody and buzz|woody et buzz|sheriff woody",
        "",
    ),
    (
        "pixar",
        "Pixar characters",
        "Disney / Pixar",
        "lightning mcqueen|flash mcqueen|wall e"
        "|finding nemo|le monde de nemo|nemo and dory|dory and nemo|monsters inc|sulley"
        "|mike wazowski|inside out|vice versa pixar|ratatouille remy|the incredibles"
        "|les indestructibles",
        "",
    ),
    (
        "disney_princesses",
        "Disney princesses",
        "Disney",
        "disney princess*|moana|vaiana"
        "|little mermaid|la petite sirene|ariel the mermaid|rapunzel tangled|raiponce"
        "|stitch|lilo and stitch|lilo et stitch|winnie the pooh|winnie l'ourson|tigger"
        "|bambi|dumbo|aladdin|jasmine and aladdin|genie of aladdin|encanto|zootopia|zootopie",
        "stitch on|stitches|stitching|cross stitch|a stitch|point de croix|sewing|couture",
    ),
    (
        "spider_man",
        "Spider-Man",
        "Marvel (Disney)",
        "spider man|spiderman|spider men|peter parker|homme araignee|miles morales|spider verse",
        "",
    ),
    (
        "marvel",
        "Marvel characters",
        "Marvel (Disney)",
        "iron man|tony stark|captain america"
        "|the hulk|hulk|incredible hulk|avengers|avenger|thanos|deadpool|wolverine logan"
        "|x men|groot|black widow|doctor strange|captain marvel|guardians of the galaxy"
        "|venom symbiote|marvel",
        "ironman triathlon|ironman race|triathlon",
    ),
    (
        "star_wars",
        "Star Wars",
        "Lucasfilm (Disney)",
        "star wars|darth vader|dark vador"
        "|yoda|baby yoda|grogu|luke skywalker|han solo|princess leia|princesse leia|chewbacca"
        "|chewie|stormtrooper*|r2 d2|r2d2|c 3po|c3po|mandalorian|jedi|sith|lightsaber"
        "|sabre laser|kylo ren|obi wan|obi wan kenobi|death star|etoile de la mort|boba fett",
        "",
    ),
    (
        "batman",
        "Batman",
        "DC (Warner Bros.)",
        "batman|bruce wayne|gotham city|batmobile"
        "|the joker|joker|harley quinn|catwoman|robin and batman",
        "joker card|joker cards|carte|cards|card|deck|poker|playing card*|jeu de cartes",
    ),
    (
        "superman",
        "Superman",
        "DC (Warner Bros.)",
        "superman|clark kent|lois lane|wonder woman"
        "|aquaman|justice league|the flash dc|lex luthor|supergirl",
        "",
    ),
    (
        "mario",
        "Super Mario",
        "Nintendo",
        "super mario|mario bros|mario brothers|mario kart"
        "|luigi|princess peach|princesse peach|bowser|yoshi|donkey kong|toad from mario"
        "|mario and luigi|mario et luigi|nintendo",
        "",
    ),
    ("zelda", "The Legend of Zelda", "Nintendo", "zelda|link from zelda|hyrule|ganondorf", ""),
    ("kirby", "Kirby", "Nintendo", "kirby", ""),
    (
        "pokemon",
        "Pokémon",
        "The Pokémon Company",
        "pokemon|pikachu|charizard|dracaufeu"
        "|bulbasaur|bulbizarre|squirtle|carapuce|charmander|salameche|eevee|evoli|mewtwo"
        "|jigglypuff|rondoudou|snorlax|ronflex|gengar|ectoplasma|ash ketchum|sacha et pikachu"
        "|psyduck|psykokwak|lucario|pokeball|poke ball",
        "",
    ),
    (
        "sonic",
        "Sonic the Hedgehog",
        "Sega",
        "sonic the hedgehog|sonic le herisson"
        "|sonic and tails|sonic et tails|knuckles the echidna|dr eggman|sonic and knuckles"
        "|sonic et knuckles|sonic the hedgehog 2|sega sonic",
        "",
    ),
    (
        "spongebob",
        "SpongeBob SquarePants",
        "Nickelodeon (Paramount)",
        "spongebob"
        "|sponge bob|squarepants|bob l'eponge|bob eponge|patrick star|patrick l'etoile de mer"
        "|squidward|carlo tentacule|bikini bottom|krusty krab|crabe croustillant|plankton and"
        "|mr krabs|m krabs",
        "",
    ),
    (
        "tmnt",
        "Teenage Mutant Ninja Turtles",
        "Nickelodeon (Paramount)",
        "ninja turtles|tortues ninja|teenage mutant|leonardo raphael donatello|michelangelo turtle",
        "",
    ),
    ("paw_patrol", "PAW Patrol", "Spin Master", "paw patrol|pat patrouille|chase and marshall", ""),
    (
        "harry_potter",
        "Harry Potter",
        "Warner Bros. / Wizarding World",
        "harry potter"
        "|hogwarts|poudlard|hermione granger|hermione|ron weasley|dumbledore|voldemort"
        "|severus snape|rogue potter|hagrid|quidditch|gryffindor|gryffondor|slytherin"
        "|serpentard|draco malfoy|wizarding world",
        "",
    ),
    (
        "looney_tunes",
        "Looney Tunes",
        "Warner Bros.",
        "bugs bunny|looney tunes|daffy duck"
        "|tweety|titi et grosminet|sylvester and tweety|road runner and coyote|bip bip et coyote"
        "|wile e coyote|porky pig|taz devil|tasmanian devil cartoon",
        "",
    ),
    ("scooby", "Scooby-Doo", "Warner Bros.", "scooby doo|scoubidou|mystery machine", ""),
    ("tom_jerry", "Tom and Jerry", "Warner Bros.", "tom and jerry|tom et jerry", ""),
    (
        "lotr",
        "The Lord of the Rings",
        "Middle-earth Enterprises",
        "lord of the rings"
        "|seigneur des anneaux|gandalf|frodo|gollum|sauron|legolas|aragorn|bilbo baggins"
        "|hobbit|hobbits|mordor",
        "",
    ),
    (
        "minions",
        "Minions / Despicable Me",
        "Universal (Illumination)",
        "minions|minion|despicable me|moi moche et mechant|gru and the minions",
        "evil minion|minion of",
    ),
    (
        "shrek",
        "Shrek",
        "DreamWorks (Universal)",
        "shrek|fiona and shrek|donkey from shrek|kung fu panda|po the panda",
        "",
    ),
    ("hello_kitty", "Hello Kitty", "Sanrio", "hello kitty|kuromi|my melody sanrio|sanrio", ""),
    ("peppa", "Peppa Pig", "Hasbro", "peppa pig|peppa|george pig", ""),
    ("barbie", "Barbie", "Mattel", "barbie|barbies|ken and barbie|barbie doll", ""),
    ("garfield", "Garfield", "Paramount", "garfield|odie the dog", ""),
    ("peanuts", "Peanuts", "Peanuts Worldwide", "snoopy|charlie brown|woodstock bird", ""),
    (
        "simpsons",
        "The Simpsons",
        "20th Century (Disney)",
        "simpsons|simpson family"
        "|homer simpson|bart simpson|marge simpson|lisa simpson|les simpson|springfield simpsons",
        "",
    ),
    (
        "adult_animation",
        "Adult animation",
        "Various studios",
        "rick and morty|rick et morty"
        "|south park|family guy|peter griffin|stewie griffin|bojack horseman|futurama",
        "",
    ),
    (
        "asterix",
        "Astérix",
        "Éditions Albert René",
        "asterix|obelix|idefix|panoramix|abraracourcix|asterix et obelix",
        "",
    ),
    (
        "tintin",
        "Tintin",
        "Moulinsart",
        "tintin|capitaine haddock|captain haddock"
        "|tintin et milou|milou et tintin|professeur tournesol|dupond et dupont",
        "",
    ),
    (
        "petit_prince",
        "Le Petit Prince",
        "Succession Antoine de Saint-Exupéry",
        "le petit prince|the little prince|petit prince de saint exupery|saint exupery",
        "",
    ),
    ("smurfs", "The Smurfs", "IMPS", "smurf|smurfs|schtroumpf*|gargamel|grand schtroumpf", ""),
    (
        "bd",
        "Franco-Belgian comics",
        "Dargaud / Dupuis",
        "lucky luke|gaston lagaffe"
        "|spirou|marsupilami|les dalton|the daltons|blake et mortimer|titeuf|babar"
        "|barbapapa|boule et bill|petit nicolas|petit ours brun|casimir l'ile aux enfants"
        "|trotro|corto maltese|largo winch|jack sparrow|pirates of the caribbean"
        "|pirates des caraibes|captain jack sparrow",
        "",
    ),
    (
        "anime",
        "Anime characters",
        "Shueisha / Toei / others",
        "goku|son goku|dragon ball"
        "|dragonball|vegeta|naruto|sasuke|one piece anime|monkey d luffy|luffy|sailor moon"
        "|attack on titan|demon slayer|tanjiro|jujutsu kaisen|my hero academia|doraemon"
        "|astro boy|evangelion|detective conan|chainsaw man",
        "",
    ),
    (
        "ghibli",
        "Studio Ghibli",
        "Studio Ghibli",
        "totoro|spirited away|le voyage de chihiro"
        "|chihiro|howl's moving castle|princess mononoke|princesse mononoke|kiki's delivery"
        "|ponyo|no face ghibli|studio ghibli|ghibli",
        "",
    ),
    ("miku", "Hatsune Miku", "Crypton Future Media", "hatsune miku|miku hatsune", ""),
    ("bond", "James Bond", "Eon Productions / MGM", "james bond|agent 007|007", ""),
    ("lucasfilm_other", "Indiana Jones", "Lucasfilm (Disney)", "indiana jones", ""),
    ("jurassic", "Jurassic Park", "Universal", "jurassic park|jurassic world", ""),
    (
        "transformers",
        "Transformers",
        "Hasbro",
        "optimus prime|autobot*|decepticon*|bumblebee transformer|megatron",
        "",
    ),
    ("godzilla", "Godzilla", "Toho", "godzilla|mothra|king ghidorah", ""),
    ("pacman", "Pac-Man", "Bandai Namco", "pac man|pacman", ""),
    (
        "games",
        "Video game characters",
        "Various publishers",
        "minecraft steve|steve from"
        " minecraft|creeper minecraft|fortnite|master chief|lara croft|kratos|geralt of rivia"
        "|solid snake|pac man|mega man|megaman|crash bandicoot|spyro|rayman|lapins cretins"
        "|rabbids|angry birds|among us crewmate|fnaf|five nights at freddy*|cuphead"
        "|hollow knight|genshin|overwatch|league of legends|valorant|roblox|call of duty",
        "",
    ),
    (
        "wallace",
        "Wallace & Gromit",
        "Aardman",
        "wallace and gromit|wallace et gromit|shaun the sheep|shaun le mouton",
        "",
    ),
    (
        "muppets",
        "The Muppets / Sesame Street",
        "Disney / Sesame Workshop",
        "muppets|kermit|miss piggy|elmo|big bird|cookie monster|sesame street|1 rue sesame",
        "",
    ),
    ("bluey", "Bluey", "Ludo Studio / BBC Studios", "bluey and bingo|bluey heeler|bluey", ""),
    (
        "trolls",
        "Franchise toys",
        "Various",
        "my little pony|care bears|bisounours|polly pocket"
        "|furby|teletubbies|tinky winky|thomas the tank engine|thomas le petit train"
        "|bob the builder|bob le bricoleur|dora the explorer|dora l'exploratrice|caillou"
        "|t'choupi|tchoupi|oui oui|masha and the bear|masha et michka|miraculous ladybug"
        "|ladybug et chat noir|pj masks|pyjamasques|cocomelon|baby shark|gabby's dollhouse"
        "|squid game|stranger things|wednesday addams|game of thrones|daenerys|jon snow"
        "|breaking bad|walter white|the witcher|the boys homelander|homelander",
        "",
    ),
]


CATEGORIES: list[dict[str, Any]] = [
    {"slug": "minors", "name": "Sexual content involving minors", "position": 10,
     "reason": gettext_noop("Nothing sexual or suggestive involving minors, ever.")},
    {"slug": "sexual", "name": "Sexual content and nudity", "position": 20,
     "reason": gettext_noop("Sexual content and nudity aren't allowed.")},
    {"slug": "self_harm", "name": "Self-harm and suicide", "position": 30,
     "reason": gettext_noop(
         "We don't make clips of self-harm or suicide. If you are struggling, please talk to "
         "someone you trust or call a local helpline.")},
    {"slug": "violence", "name": "Graphic violence and gore", "position": 40,
     "reason": gettext_noop("Graphic violence and gore aren't allowed.")},
    {"slug": "hate", "name": "Hate and extremism", "position": 50,
     "reason": gettext_noop("Hateful or extremist content isn't allowed.")},
    {"slug": "public_figures", "name": "Real people", "position": 60,
     "waived_by_own_cameo": True, "check_comments": False,
     "reason": gettext_noop(
         "Clips of real people are only made with their own verified cameo.")},
    {"slug": "deception", "name": "Realistic fake news", "position": 70,
     "check_comments": False,
     "reason": gettext_noop(
         "Realistic footage of news events (attacks, disasters, arrests) isn't allowed: it "
         "could be taken for the real thing.")},
    {"slug": "rights", "name": "Characters and franchises", "position": 80,
     "check_comments": False,
     "reason": gettext_noop("Its rights holder doesn't allow clips of this character.")},
    {"slug": "other", "name": "Other", "position": 90,
     "reason": gettext_noop("This prompt breaks our content policy.")},
]  # fmt: skip


def _rule(key: str, category: str, terms: str, *, near: str = "", window: int = 6,
          unless: str = "", reason: str = "", kind: str = "") -> dict[str, Any]:  # fmt: skip
    return {
        "key": key,
        "category_id": category,
        "kind": kind or ("near" if near else "phrase"),
        "pattern": terms,
        "near": near,
        "window": window,
        "unless": unless,
        "reason": reason,
    }


RULES: list[dict[str, Any]] = [
    # Minors: zero tolerance, checked first, so its reason wins.
    _rule(
        "minors.strong",
        "minors",
        _t(
            "child porn*|child pornography|pedopornographi*|pedoporn*|cp video|csam|jailbait",
            "lolicon|shotacon|loli hentai|pedophile|pedophiles|pedophilia|paedophil*|pedo|pedos",
            "pedophile*|pedophilie|pedocriminel*|pedocriminalite|underage sex|sexualized child*",
            "sexualised child*|child bride|child marriage|mariage d'enfant*|mariage force",
        ),
    ),
    _rule(
        "minors.sexual",
        "minors",
        CHILDREN,
        near=SEXUAL_NEAR_CHILD,
        window=8,
        unless=_t(
            "bath toy*|bubble bath|bedtime story|bed time story|strip of|comic strip|hair"
            "|cheveux|joue|cheek|cat|chat|dog|chien|puppy|chiot|kitten|chaton"
            "|string lights|guirlande|sex of the baby|sexe du bebe"
        ),
    ),
    _rule(
        "minors.bed",
        "minors",
        CHILDREN,
        near=IN_BED_WITH,
        window=6,
        unless=_t(
            "teddy|doudou|peluche|plush|stuffed|cat|dog|chat|chaton|chien|chiot|book|livre"
            "|flu|fever|grippe|fievre|rhume|sick|malade|story|conte|histoire|tablet|tablette"
            "|mom|mum|mother|maman|mere|dad|father|papa|pere|parents|sibling|brother|sister"
            "|frere|soeur|grandma|grandpa|mamie|papi"
        ),
    ),
    # Sexual content.
    _rule(
        "sexual.strong",
        "sexual",
        SEXUAL_STRONG,
        window=3,
        unless=_t(
            "sex ratio|sex education|sex determination|sex chromosome*|sex cell*"
            "|sex on the beach|explicit lyrics|explicit instructions|paroles explicites"
            "|sex of the|sexe du bebe|sexe de l'enfant|sexual reproduction of plants"
            "|anal gland*|pole dance class|strip of land|comic strip|strip mall"
            "|bare bones|suce une sucette|suce un bonbon|suce son pouce|sucette"
            "|bonbon|pouce|glace|lollipop|jouir de la vue|jouir du soleil|jouir de"
        ),
    ),
    _rule(
        "sexual.naked", "sexual", NAKED, near=_t(PEOPLE, BODY), window=4, unless=NAKED_EXCEPTIONS
    ),
    _rule("sexual.nude", "sexual", NAKED_ALONE, window=3, unless=NAKED_EXCEPTIONS),
    _rule(
        "sexual.undressing",
        "sexual",
        _t(
            "taking off|takes off|take off|took off|removing|removes|remove|removed|strips off",
            "stripping off|pulls off|pulling off|pulls down|pulling down|enleve|enlever|enlevant",
            "taking|takes|took|pulling|pulls",
            "retire|retirer|retirant|ote|oter|baisse|baisser",
        ),
        near=_t(
            "clothes|clothing|bra|panties|underwear|knickers|bikini top|all her clothes",
            "vetements|habits|culotte|soutien gorge|slip|string|petite culotte|fringues",
        ),
        window=3,
        unless=_t(
            "laundry|washing machine|wash|washing|dry cleaner|dry cleaning|pressing|lessive"
            "|machine a laver|linge|donation|charity|don|store|shop|magasin|suitcase|valise"
            "|closet|wardrobe|placard|armoire|dryer|sechoir|clothesline|etendoir"
        ),
    ),
    _rule(
        "sexual.body",
        "sexual",
        _t(
            "flashing|flashes|showing|shows|exposing|exposes|exposed|bare|baring|naked|nude|big",
            "huge|giant|busty|bouncing|grabbing|grabs|touching|touches|fondling|licking|sucking",
            "squeezing|montre|montrant|exhibe|gros|grosse|grosses|enormes|touche|caresse|leche",
            "suce|pelote|tripote",
        ),
        near=_t(
            "breasts|breast|boobs|nipples|nipple|tits|butt|buttocks|ass|crotch|genitals",
            "seins|sein|poitrine|tetons|fesses|cul|entrejambe|parties intimes",
        ),
        window=3,
        unless=_t(
            "chicken breast*|duck breast*|turkey breast*|blanc de poulet|magret|poulet"
            "|chicken|duck|turkey|canard|dinde|breast cancer|cancer du sein|mammogra*"
            "|donkey|ane|big butt of a|horse|cheval|robin|bird|oiseau"
        ),
    ),
    _rule(
        "sexual.sexy",
        "sexual",
        _t("sexy|sensuel*"),
        near=_t(
            "in bed|on the bed|bed|naked|undress*|lingerie|posing|poses|spread|bent over",
            "twerk*|strip*|bikini|lit|nue|nu|on all fours|a quatre pattes|underwear",
            "sous vetements|string|thong|panties|culotte|bra|soutien gorge",
        ),
        window=4,
        unless=_t(
            "hot tub|hot dog|hot sauce|hot air|hot spring*|hot chocolate|hot bath"
            "|hot weather|hot day|hot summer|sauce|chocolat|comic strip|strip of"
        ),
    ),
    _rule(
        "sexual.suggestive",
        "sexual",
        SUGGESTIVE,
        near=_t(PEOPLE, BODY, "posing|poses|pose|bed|lit|spread|bent over|on all fours"),
        window=5,
        unless=_t(
            "sexy car|sports car|voiture|string lights|guirlande|shopping|store window"
            "|vitrine|laundry|lessive|clothesline|etendoir|dress*|chord|violin|guitar"
        ),
    ),
    _rule(
        "sexual.touching",
        "sexual",
        _t("sex|naked|nude|horny|aroused|undress*|strip*|moan*|orgasm*|nu|nue|excite*|gemi*"),
        near=_t(
            "bed|in bed|sheets|on the bed|shower|dans le lit|au lit|sous la douche"
            "|couple|lovers|amants|bedroom|chambre"
        ),
        window=4,
        unless=NAKED_EXCEPTIONS + "\nstrip of\nstripes\nstriped\nrayures\nraye\nrayee",
    ),
    # Self-harm.
    _rule(
        "self_harm.strong",
        "self_harm",
        SELF_HARM_STRONG,
        unless=_t(
            "suicide squad|suicide squeeze|suicide doors|suicide door|suicide prevention"
            "|prevention du suicide|hotline|helpline|numero d'ecoute"
        ),
    ),
    _rule(
        "self_harm.se_couper",
        "self_harm",
        _t("se coupe|se couper|se coupent|se coupant|s'entaille|s'entailler|se blesse|se blesser"),
        near=_t(
            "cutter|lame|lames|rasoir|couteau|bras|poignet|poignets|veine|veines|cuisse",
            "cuisses|peau|sang|volontairement|expres",
        ),
        window=4,
        unless=_t(
            "cheveux|ongles|frange|en cuisinant|en epluchant|en jardinant|accident"
            "|par accident|sans faire expres|doigt en|legumes|pain|papier"
        ),
    ),
    _rule(
        "self_harm.wrists",
        "self_harm",
        WRISTS,
        near=CUTTING,
        window=4,
        unless=_t(
            "watch|bracelet|montre|wristband|sleeve|sleeves|manche|manches|tattoo"
            "|tatouage|shav*|rase|raser|rasage|epil*|wax*|cire|hair|poils|cheveux|paper"
            "|papier|fabric|tissu|pattern|patron|sewing|couture|surgeon|chirurgien"
            "|surgery|chirurgie|doctor|medecin|cast|platre|bandage|pansement"
        ),
    ),
    _rule("self_harm.means", "self_harm", JUMP_DEATH, near=MEANS, window=6),
    _rule(
        "self_harm.overdose",
        "self_harm",
        _t(
            "whole bottle|entire bottle|whole box|entire box|all the pills|all his pills",
            "all her pills|handful of pills|handfuls of pills|dozens of pills|whole pack",
            "boite entiere|une boite entiere|toute la boite|tout le flacon|flacon entier",
            "tube entier|tout le tube|poignee de cachets|poignees de cachets|des dizaines de",
            "tous les cachets|tous ses cachets|toute la plaquette|overdose|overdoses|surdose",
        ),
        near=_t(
            "pills|pill|sleeping pills|painkillers|medication|meds|tablets|paracetamol",
            "tylenol|xanax|opioids|fentanyl|cachets|comprimes|somniferes|medicaments",
            "anxiolytiques|doliprane|swallow*|avale*|gobe*|takes|took|taking|prend|prendre",
        ),
        window=4,
        unless=_t("pharmacy shelf|pharmacie|pharmacist|pharmacien|vitamin*|bonbon*|candy|mints"),
    ),
    _rule(
        "self_harm.on_purpose",
        "self_harm",
        _t(
            "on purpose|deliberately|intentionally|expres|volontairement|a dessein",
            "to feel something|to punish herself|to punish himself|pour se punir",
        ),
        near=_t(
            "burning her|burning his|burns her|burns his|burn her|burn his|cutting her",
            "cutting his|cuts her|cuts his|cut her|cut his|scratching her|scratching his",
            "hurting herself|hurting himself|hurts herself|hurts himself|se brule|se brulent",
            "se coupe|se coupent|se griffe|se frappe|se blesse|se fait mal|bruising",
            "cigarette|lighter|briquet|razor|rasoir|blade|lame|compass|compas",
        ),
        window=6,
        unless=_t("hair|cheveux|nails|ongles|bangs|frange|toast|cake|gateau|pizza"),
    ),
    _rule(
        "self_harm.ligature",
        "self_harm",
        _t(
            "belt|belts|ceinture|cable|cord|cordon|bedsheet|bed sheet|drap|sheet|scarf",
            "echarpe|wire|fil electrique|shoelace*|lacet*|rope|corde",
        ),
        near=_t(
            "around his neck|around her neck|around their neck|round his neck|round her neck",
            "autour du cou|autour de son cou|to his neck|to her neck|tightening|tightens",
            "serre autour|strangle*|choke*|etrangl*",
        ),
        window=3,
        unless=_t("tie|ties|cravate|necklace|collier|medal|medaille|lanyard|badge|dog|chien"),
    ),
    _rule(
        "self_harm.noose_hung",
        "self_harm",
        _t("noose|nooses|noeud coulant|noeuds coulants"),
        near=_t(
            "ceiling|ceiling fan|plafond|beam|beams|poutre|poutres|rafter|rafters|branch",
            "branche|tied|tie|ties|tying|attache*|hanging|hangs|pend*|around|autour|lamp",
            "lustre|chandelier|stairs|escalier|garage|barn|grange|bedroom|chambre",
        ),
        window=5,
        unless=_t("western|cowboy|gallows humor|knot tutorial|sailor|marin|museum|musee"),
    ),
    _rule(
        "self_harm.noose",
        "self_harm",
        _t("noose|nooses|corde|rope"),
        near=_t(
            "neck|his neck|her neck|cou|around his neck|autour du cou|hang himself"
            "|hang herself|se pendre|stool|tabouret|chair|chaise"
        ),
        window=4,
        unless=_t(
            "cowboy|lasso|rodeo|horse|cheval|escalade|climbing|jump rope|corde a sauter"
            "|sailor|marin|boat|bateau|knot tutorial"
        ),
    ),
    # Graphic violence and gore.
    _rule(
        "violence.gore",
        "violence",
        _t(
            "gore|gory|gruesome|disembowel*|eviscerat*|decapitat*|beheading|beheadings|beheaded",
            "behead|beheads|dismember*|mutilat*|severed head*|severed limb*|severed arm*",
            "severed leg*|severed finger*|cut off head|slit throat|slits throat|slitting throat",
            "throat slit|throat cut|cut his throat|cut her throat|bloodbath|blood bath",
            "pool of blood|pools of blood|blood everywhere|blood splatter*|blood spatter*",
            "blood gushing|gushing blood|covered in blood|soaked in blood|blood soaked",
            "drenched in blood|bloody corpse*|bloody body|bloody bodies|entrails|intestines",
            "guts spilling|spilling guts|spilled guts|brains splattered|brain matter|head explod*",
            "exploding head|skull crushed|crushed skull|bashed in skull|torture chamber",
            "torture video|tortured|torturing|snuff film|snuff video|execution video",
            "public execution|firing squad|lynching|lynched|mass shooting|school shooting",
            "gunshot wound*|bullet wound*|stab wound*|blood spurting|spurting blood|blood pouring",
            "pouring blood|blood dripping|dripping blood|dripping with blood|bleeding out",
            "bleeding to death|bled to death|blessure par balle|plaie par balle|sang qui gicle",
            "bodies hanging|body hanging|hanging bodies|hanging body|corpses hanging",
            "hanged bodies|hanging corpse*|pendus a un arbre|corps pendus|corps pendu|massacre",
            "massacres|blood in the water|sang dans l'eau|guts everywhere|tripes partout",
            "brains everywhere|body parts everywhere|blown to pieces|torn to pieces",
            "ripped to pieces|severed body parts|dechiquete*|pendaison|pendaisons",
            "hanging from a noose|hanged from|pendu au|pendue au|pendu a une corde|fusillade",
            "fusillades|suicide bomb*|car bomb*|bus bombing|bomb attack|terror attack",
            "terrorist attack|attentat|attentats|voiture piegee|kamikaze attack|torn bodies",
            "torn body|riddled with bullets|bullet riddled body|crible de balles",
            "criblee de balles|until he dies|until she dies|until they die|until he is dead",
            "jusqu'a ce qu'il meure|jusqu'a ce qu'elle meure|jusqu'a la mort",
            "re:(?:beat|beaten|kick|kicks|kicked|kicking|stomp\\w*|trampl\\w*|stab\\w*"
            "|strangl\\w*|chok\\w*|hack\\w*|club\\w*|whipp\\w*|burn\\w*|tortur\\w*"
            "|batter\\w*|bludgeon\\w*|punch\\w*|stoned|stoning|crush\\w*|shot|shoot\\w*"
            "|bled|bleed\\w*|mauled|savaged) to death",
            "re:(?:battu|battue|battus|roue|rouee|roues|frappe|frappee|poignarde|poignardee"
            "|tabasse|tabassee|lapide|lapidee|torture|torturee|piétine|pietine|pietinee"
            "|lynche|lynchee|egorge|egorgee) a mort",
            "re:shooting (?:at|in) (?:a |an |the )?(?:mall|school|concert|church|mosque"
            "|synagogue|supermarket|nightclub|club|festival|office|university|campus|hospital"
            "|stadium|parade|rally|market|train station|subway|airport)s?",
            "re:(?:eating|eats|ate|devour\\w*|devor\\w*|mange\\w*) "
            "(?:a |an |the |un |une |le |la |des |les )?(?:swimmer|surfer|diver|man|woman|child"
            "|person|people|human|humans|baby|kid|nageur|surfeur|plongeur|homme|femme|enfant"
            "|personne|gens|humain|humains|bebe)s?",
            "pisse le sang|pissait le sang|se vide de son sang|vidé de son sang|blood gushes",
            "school shooter|shooting spree|killing spree|mass murder*|mass killing|war crime*",
            "burned alive|burning alive|burnt alive|burn alive|stoning to death|stoned to death",
            "acid attack|cannibal*|eating human flesh|human flesh|dead body|dead bodies",
            "mangled body|mangled bodies|charred body|charred bodies|cadaver*|carnage|maimed",
            "impaled|impaling|crushed to death|beaten to death|stabbed to death|shot to death",
            "hacked to death|hacking to death|chopped up body|torn apart by|ripped apart",
            "sanglante|sanglantes|bain de sang|mare de sang|flaque de sang|du sang partout",
            "sang partout|couvert de sang|couverte de sang|couverts de sang|plein de sang",
            "pleine de sang|gicle* de sang|giclee de sang|gerbe de sang|decapit*|demembr*",
            "mutil*|egorg*|eventr*|tripes a l'air|entrailles|tete coupee|tetes coupees",
            "tete tranchee|tetes tranchees|tuerie*|carnage|tortur*|lynchage|lynche|brule vif",
            "brulee vive|brules vifs|bruler vif|lapidation|lapide|lapidee|attaque a l'acide",
            "cadavre*|corps sans vie|corps mutile*|crime de guerre|crimes de guerre|charnier*",
            "fusillade dans une ecole|tuerie de masse|meurtre de masse|cannibal*|chair humaine",
            "poignarde a mort|battu a mort|battue a mort|crane ecrase|cervelle eclatee",
            "cervelle partout|pendaison publique|execution publique|peloton d'execution",
        ),
        unless=_t(
            "gore tex|goretex|al gore|corpse flower|corpse lily|cadaver dog*"
            "|halloween decoration|haunted house"
            "|zombie makeup|fake blood prop|tomato sauce|ketchup|sauce tomate|history book"
            "|blood orange|blood moon|bloody mary|cannibal corpse band|tortured artist"
            "|tortured soul|tortured poet|tortilla|tortue|tortues|tortoise"
        ),
        reason="",
    ),
    _rule("violence.harm", "violence", HARM_VERBS, near=PEOPLE, window=4, unless=HARM_EXCEPTIONS),
    _rule(
        "violence.blood_pool",
        "violence",
        _t(
            "re:(?:pool|pools|puddle|puddles|flaque|flaques|mare|mares) (?:of )?(?:his |her "
            "|their |its )?(?:own )?(?:blood|sang)",
            "re:(?:bathing|lying|laying|covered|soaked|drenched|swimming|sitting|kneeling"
            "|baign\\w*|gis\\w*|couvert\\w*|trempe\\w*|allonge\\w*) (?:in|dans) (?:his |her "
            "|their |son |sa |leur )?(?:own |propre )?(?:blood|sang)",
            "re:(?:tear|tears|tearing|tore|torn|rip|rips|ripping|ripped|shred\\w*|dechiquet\\w*)"
            " (?:a |an |the |his |her |un |une |le |la )?(?:man|woman|surfer|swimmer|person|body"
            "|child|kid|boy|girl|guy|victim|soldier|diver|human|homme|femme|enfant|nageur"
            "|surfeur|corps|victime)s? (?:apart|to pieces|to shreds|en morceaux|en lambeaux)",
            "water turning red|water turns red|l'eau devient rouge|eau rouge de sang",
            "another man's flesh|man's flesh|woman's flesh|human flesh|chair d'un homme",
            "re:bloody (?:\\w+ ){0,2}(?:victims?|bodies|body|corpses?|injur\\w*|wounds?|faces?)",
            "close up on injuries|close up of injuries|gros plan sur les blessures",
            "horrific injuries|graphic injuries|blessures atroces|open fracture|fracture ouverte",
            "bone sticking out|bones sticking out|os qui sort|os qui depasse|ensanglante*",
            "re:(?:blood|sang) (?:spraying|spray|sprays|squirting|gushing|spurting|pouring"
            "|everywhere|on the walls|sur les murs|partout|gicle\\w*|jaillit|jaillissant)",
        ),
        unless=_t("tomato|tomate|ketchup|paint|peinture|fake blood|faux sang|halloween"),
    ),
    _rule(
        "sexual.slang",
        "sexual",
        _t(
            "going at it|goes at it|went at it|reverse cowgirl|cowgirl position|riding him",
            "rides him|riding a man|rides a man|riding his|chevauche un homme|nique*|niquer",
            "niquent|niquait|pussy|pussies|wet pussy|se font niquer|se fait niquer",
            "a quatre pattes en levrette|en levrette|en pleine sodomie|boner|boners|hard on",
            "quickie|bonking|shagged|getting laid|get laid|nude scene|sex scene",
            "eating her out|eats her out|eat her out|ate her out|eating him out|eat out her",
            "licking her|licks her|se lechent|se leche|leche sa|lechent sa|lecher sa",
            "re:finger(?:ing|ed|s)? (?:her|him|herself|himself|a girl|a woman|his girlfriend)",
            "doigte|doigter|doigtee|video de cul|videos de cul|film de cul|films de cul",
            "histoire de cul|gros cul|beau cul|nique sa|suce un mec|suce un homme|suce son",
        ),
        unless=_t(
            "pussy cat|pussycat|pussy willow|puss in boots|kitty|cat|chat|chaton|riot|horse"
            "|cheval|poney|pony|bike|velo|motorcycle|moto|wave|vague|bull|taureau|chien|dog"
            "|chiot|puppy|glace|ice cream|lollipop|sucette|les doigts|ses doigts|her fingers"
            "|his fingers|finger food|finger licking|babines|chats|cats"
            "|wounds|plaies|spoon|cuillere|plate|assiette"
        ),
    ),
    _rule(
        "violence.face",
        "violence",
        _t(
            "cut|cuts|cutting|slash|slashes|slashing|slashed|slice|slices|slicing|sliced|stab",
            "stabs|stabbing|stabbed|carve|carves|carving|carved|taillade|tailladee|taillader",
            "entaille|entailler|lacere|lacerer|balafre|balafrer|coupe|couper|poignarde",
        ),
        near=_t(
            "face|faces|throat|neck|eyes|eye|belly|stomach|guts|visage|gorge|cou|yeux",
            "oeil|ventre|gorges",
        ),
        window=3,
        unless=_t(
            "cake|bread|shaving|shave|barber|makeup|maquillage|beard|barbe|fish"
            "|poisson|pumpkin|citrouille|watermelon|pasteque|face mask|cheese|fromage"
            "|steak|meat|viande|pattern|portrait|sculpt*|clay|argile|wood|bois|stone"
            "|pierre|ice|glace|surgeon|surgery|chirurg*|doctor|medecin|hair|cheveux"
            "|frange|bangs|paper|papier|diamond|diamant|gem|jewel*|bijou*|ribbon|ruban"
        ),
    ),
    _rule(
        "violence.corpse",
        "violence",
        _t(
            "chop up|chops up|chopped up|chopping up|cut up|cuts up|cutting up|saw up|sawing up",
            "hack up|hacking up|dissolve*|dissolving|dispose of|disposing of|bury|burying",
            "buries|hide the|hiding the|hides the|decoupe|decouper|decoupant|dissoudre",
            "enterre*|enterrer|cache le|cacher le|se debarrasser du|se debarrasse du",
        ),
        near=_t("body|bodies|corpse|corpses|cadavre|cadavres|corps|dead man|dead woman"),
        window=3,
        unless=_t(
            "body of water|body pillow|body lotion|body butter|body shop|body paint|bodyboard"
            "|corps de ballet|corps de metier|corps du texte|treasure|tresor|bone|os|dog|chien"
        ),
    ),
    _rule(
        "violence.execution",
        "violence",
        _t(
            "execute|executes|executing|executed|execution|shoot|shoots|shooting|behead*|kill*",
            "execute|executent|executer|abattre|abattent|tuer|tuent|fusiller|fusillent|egorg*",
        ),
        near=_t(
            "hostage|hostages|prisoner|prisoners|captive|captives|otage|otages",
            "prisonnier|prisonniers|captif|captifs|detenu|detenus",
        ),
        window=4,
    ),
    _rule(
        "violence.amputation",
        "violence",
        _t(
            "cut off|cuts off|cutting off|chop off|chops off|chopped off|chopping off|hack off",
            "hacked off|hacking off|sever|severs|severing|ripped off|torn off|blown off|sliced off",
            "slices off|saw off|sawing off|sawed off|being cut off|coupe|coupee|coupees|couper",
            "coupant|tranche|tranchee|tranchees|trancher|arrache|arrachee|arracher|scie|scier",
        ),
        near=BODY_PARTS,
        window=3,
        unless=_t(
            "hair|nails|crust|sleeve|sleeves|cheveux|ongles|croute|manche|manches"
            "|en cuisinant|while cooking|accident|souffle|breath|coupe du monde|world cup"
            "|haircut|coupe de cheveux|barber|coiffeur|frange|bangs|fringe|carrot|carotte"
            "|branch|branche|tree|arbre|head of lettuce|tete de salade|salade|lettuce"
            "|head of broccoli|fish head|tete de poisson|poisson|fish|garlic|ail|pied de"
        ),
    ),
    _rule(
        "violence.vehicle",
        "violence",
        _t(
            "running over|runs over|ran over|run over|plows into|ploughs into|plowing into",
            "drives into|driving into|drove into|rams into|ramming into|rammed into|mows down",
            "mowing down|fonce dans|fonce sur|foncant sur|renverse|renversant|ecrase|ecrasant",
        ),
        near=_t(
            "crowd|crowds|pedestrians|pedestrian|people|children|kids|a man|a woman",
            "cyclist|cyclists|protesters|foule|pietons|pieton|passants|gens|enfants",
            "cycliste|cyclistes|manifestants|un homme|une femme",
        ),
        window=4,
    ),
    _rule("violence.kill", "violence", KILL, near=PEOPLE, window=4, unless=KILL_EXCEPTIONS),
    _rule(
        "violence.shoot",
        "violence",
        SHOOT,
        near=_t(PEOPLE, WEAPONS, GORE_OUTCOMES),
        window=4,
        unless=SHOOT_EXCEPTIONS,
    ),
    _rule(
        "violence.weapon_blood",
        "violence",
        WEAPONS,
        near=GORE_OUTCOMES,
        window=6,
        unless=_t(
            "butcher|boucher|boucherie|steak|meat|viande|beef|boeuf|roast|roti|tomato"
            "|tomate|beet|betterave|paint|peinture|ketchup|jam|confiture|halloween prop"
            "|dead leaves|dead tree|dead end|feuilles mortes|arbre mort|cul de sac"
        ),
    ),
    _rule(
        "violence.hunting_people",
        "violence",
        _t("hunt|hunts|hunting|hunted|hunter|hunters|prey on|chasse|chassent|chasser|traque*"),
        near=_t(
            "humans|human|people|a man|a woman|children|kids|women|men|humains|gens"
            "|enfants|femmes|hommes|un homme|une femme|the homeless|les sdf|migrants"
        ),
        window=3,
        unless=_t(
            "treasure|tresor|easter egg*|oeufs de paques|ghost*|fantome*"
            "|bargain*|job|jobs|emploi|talent|head hunter|chasseur de tetes"
            "|photo*|shadow*|souvenir*|mushroom*|champignon*|truffle*"
        ),
    ),
    # Hate and extremism.
    _rule(
        "hate.no_group",
        "hate",
        _t(
            "re:(?:no|not) (?:more )?(?:jews|muslims|blacks|arabs|gays|immigrants|mexicans"
            "|asians|chinese|gypsies|roma|irish|niggers|negroes|dogs or jews|dogs or blacks)"
            " (?:allowed|welcome|wanted|here)",
            "re:(?:interdit|interdits|interdite) aux (?:juifs|arabes|noirs|musulmans|gitans"
            "|roms|chinois|immigres|homosexuels|pedes|etrangers)",
            "re:(?:pas de|pas d) (?:juifs|arabes|noirs|musulmans|gitans|roms|immigres)"
            " (?:ici|chez nous|en france)",
        ),
    ),
    _rule(
        "hate.strong",
        "hate",
        HATE_STRONG,
        unless=_t(
            "history lesson|history documentary|museum|musee|memorial|memoire"
            "|remembrance|holocaust memorial|lecon d'histoire|indiana jones|hindu temple"
            "|sanskrit|buddhist|bouddhiste|diwali"
        ),
    ),
    _rule(
        "hate.violence",
        "hate",
        HATE_ACTIONS,
        near=GROUPS,
        window=4,
        unless=_t(
            "ballon|balle|ball|couleur|color|colour|peinture|paint|tableau|cheval|chat"
            "|chien|cat|dog|horse|touche|piano|key|keys|drum|drums|tambour|batterie"
            "|against racism|contre le racisme|stop hate|love|amour|protect|proteger"
            "|welcome|accueillir|celebrate|celebrer|hanging out|burning man|burn calories"
        ),
    ),
    _rule(
        "hate.places_of_worship",
        "hate",
        _t(
            "burning|burn|burns|burned|set fire|sets fire|setting fire|torching|torch|attacking",
            "attack|attacked|bombing|bomb|bombed|vandaliz*|vandalis*|desecrat*|bruler|brule",
            "brulent|incendie*|attaque*|profan*|saccag*|tag* des croix",
        ),
        near=_t(
            "mosque|mosques|synagogue|synagogues|church|churches|temple|temples|mosquee",
            "mosquees|eglise|eglises|cathedral|cathedrale|gurdwara|pagoda|pagode",
        ),
        window=3,
        unless=_t("candle*|incense|encens|bougie*|cierge*|calories|sun|soleil"),
    ),
    _rule(
        "hate.claims",
        "hate",
        GROUPS,
        near=_t(
            "control the world|controlling the world|controls the world|control the media",
            "control the banks|controlling the banks|rule the world|secretly run|conspiracy",
            "complot|controlent le monde|controlent les medias|dirigent le monde|replacing us",
            "replace us|nous remplacent|grand remplacement|are taking over|should be killed",
            "should die|must die|deserve to die|should be exterminated|doivent mourir",
            "meritent de mourir|should be deported|doivent etre expulses|go back to your country",
            "rentrez chez vous|retournez dans votre pays|should be banned|are the problem",
            "sont le probleme|are inferior|sont inferieurs|are criminals|sont tous des criminels",
            "are all terrorists|sont tous des terroristes|are all rapists|sont tous des violeurs",
            "are not human|ne sont pas humains|a disease|une maladie|should burn|doivent bruler",
            "gas chamber|chambre a gaz|chambres a gaz|oven|ovens|fours|big nose|hooked nose",
            "long nose|gros nez|nez crochu|greedy|money bags|bags of money|sacs d'argent|cupide",
            "cupides|rapaces|counting money|counts money|compte son argent|comptant de l'argent",
        ),
        window=6,
    ),
    _rule(
        "hate.dehumanising",
        "hate",
        HATE_INSULTS,
        near=GROUPS,
        window=3,
        unless=_t(
            "pet rats|lab rats|zoo|dogs and cats|chiens et chats|hot dogs|guinea pigs"
            "|pet dogs|walking dogs|promenant|rescue|refuge"
        ),
    ),
    # Real people, one rule per group of names (a verified cameo of the person waives it).
    *[
        _rule(
            f"people.{suffix}", "public_figures", _t(names), unless=REAL_PEOPLE_EXCEPTIONS, window=3
        )
        for suffix, names in REAL_PEOPLE
    ],
    # Realistic fake news.
    _rule(
        "deception.news_footage",
        "deception",
        NEWS_FORMATS,
        near=NEWS_EVENTS,
        window=8,
        unless=NEWS_EXCEPTIONS,
    ),
    _rule(
        "deception.landmark",
        "deception",
        LANDMARKS,
        near=_t(
            CITY_DISASTERS,
            "attack|attacked|attacking|attaque|attaquee|terrorist*|terroriste*|hijack*|gunman"
            "|gunmen|shooting|plane crash*|crash into|crashes into|crashed into|hits|struck"
            "|s'ecrase|percute|hitting|hit|crashing into|smashing into|slamming into|slams into"
            "|flies into|flying into|fonce dans|percutent|s'encastre",
        ),
        window=8,
        unless=CITY_EXCEPTIONS,
    ),
    _rule(
        "deception.city", "deception", CITIES, near=CITY_DISASTERS, window=6, unless=CITY_EXCEPTIONS
    ),
    _rule(
        "deception.election",
        "deception",
        _t(
            "ballot stuffing|stuffing ballot*|fake ballot*|ballots being burned|burning ballots",
            "rigged election|stolen election|election fraud|voter fraud|voting machine* hacked",
            "bourrage d'urnes|bourrage des urnes|fraude electorale|election truquee",
            "bulletins brules|faux bulletins|urnes bourrees",
        ),
    ),
    # Characters the registry can't name alone ("Elsa" is also a first name).
    _rule(
        "rights.context",
        "rights",
        _t(
            "elsa|anna|olaf|ariel|belle|jasmine|mulan|pocahontas|cinderella|cendrillon|aurora",
            "woody|buzz|nemo|dory|simba|mario|link|peach|sonic|tails|joker|robin|flash|thor|loki",
            "hulk|venom|mickey|minnie|pluto|goofy|dingo|stitch|baymax|moana|maui|rapunzel|shrek",
            "wolverine",
            "marshall|chase|skye|patrick|tigger|pooh|winnie|olaf",
        ),
        near=_t(
            "disney|pixar|marvel|dc comics|nintendo|sega|dreamworks|frozen|arendelle",
            "reine des neiges|toy story|mushroom kingdom|royaume champignon|gotham|avengers",
            "asgard|hundred acre|hedgehog|herisson|paw patrol|pat patrouille|bikini bottom",
            "under the sea|little mermaid|petite sirene|snow queen|ice powers|let it go",
            "green cap|red cap and mustache|casquette rouge|moustache|plumber|plombier",
            "ice castle|ice palace|chateau de glace|palais de glace|snowman|bonhomme de neige",
            "magic ice|glace magique|ice queen|princess|princesse|castle|chateau|kingdom|royaume",
            "goomba|goombas|koopa|koopas|bowser|luigi|yoshi|kart|question block|warp pipe",
            "claws out|adamantium|x men|xmen|mutant|mutants|professor x|logan|mjolnir",
            "stormbreaker|god of thunder|dieu du tonnerre|infinity stones|vibranium|web shooters",
        ),
        window=6,
    ),
]


def categories_install(apps: Any) -> None:
    PolicyCategory = apps.get_model("generation", "PolicyCategory")
    for row in CATEGORIES:
        defaults = {key: value for key, value in row.items() if key != "slug"}
        PolicyCategory.objects.get_or_create(slug=row["slug"], defaults=defaults)


def default_policy_install(apps: Any, *, update: bool = False) -> dict[str, int]:
    """Create the shipped categories, rules and rights holders that are missing (by key).
    With `update`, shipped rows are reset to the shipped content (a moderator's edits to them
    are lost; rows without a key are never touched). Returns how many rows were created."""
    PolicyTerm = apps.get_model("generation", "PolicyTerm")
    RightsHolder = apps.get_model("generation", "RightsHolder")
    categories_install(apps)
    created = {"rules": 0, "rights_holders": 0}
    for rule in RULES:
        fields = {key: value for key, value in rule.items() if key != "key"}
        if update:
            _, was_created = PolicyTerm.objects.update_or_create(key=rule["key"], defaults=fields)
        else:
            _, was_created = PolicyTerm.objects.get_or_create(key=rule["key"], defaults=fields)
        created["rules"] += was_created
    for key, name, holder, aliases, unless in RIGHTS_HOLDERS:
        fields = {"name": name, "holder": holder, "aliases": _t(aliases), "unless": _t(unless),
                  "policy": "block"}  # fmt: skip
        if update:
            _, was_created = RightsHolder.objects.update_or_create(
                key=f"rights.{key}", defaults=fields
            )
        else:
            _, was_created = RightsHolder.objects.get_or_create(
                key=f"rights.{key}", defaults=fields
            )
        created["rights_holders"] += was_created
    return created


def _rule_fingerprint(row: dict[str, Any]) -> str:
    fields = [row["category_id"], row["kind"], row["pattern"], row["near"], row["window"],
              row["unless"], row["reason"]]  # fmt: skip
    return hashlib.sha256(json.dumps(fields).encode()).hexdigest()[:16]


def _holder_fingerprint(row: dict[str, Any]) -> str:
    fields = [row["name"], row["holder"], row["aliases"], row["unless"], row["policy"]]
    return hashlib.sha256(json.dumps(fields).encode()).hexdigest()[:16]


def shipped_fingerprints() -> dict[str, str]:
    """The fingerprint of every shipped rule and rights holder as this release ships it; a
    release that changes shipped rows lists the fingerprints it replaces in
    generation/policy_releases.py."""
    fingerprints = {rule["key"]: _rule_fingerprint(rule) for rule in RULES}
    for key, name, holder, aliases, unless in RIGHTS_HOLDERS:
        fields = {"name": name, "holder": holder, "aliases": _t(aliases), "unless": _t(unless),
                  "policy": "block"}  # fmt: skip
        fingerprints[f"rights.{key}"] = _holder_fingerprint(fields)
    return fingerprints


def default_policy_upgrade(apps: Any, *, previous: dict[str, list[str]]) -> dict[str, int]:
    """Bring shipped rows a moderator never edited up to this release's content, and create
    missing ones. A row is unedited when its content is one an earlier release shipped
    (`previous`: key → fingerprints); any other row is left as the moderator made it."""
    PolicyTerm = apps.get_model("generation", "PolicyTerm")
    RightsHolder = apps.get_model("generation", "RightsHolder")
    created = default_policy_install(apps)
    created["updated"] = 0
    values = ("category_id", "kind", "pattern", "near", "window", "unless", "reason")
    for rule in RULES:
        row = PolicyTerm.objects.filter(key=rule["key"]).values(*values).first()
        if row is None or _rule_fingerprint(row) == _rule_fingerprint(rule):
            continue
        if _rule_fingerprint(row) in previous.get(rule["key"], ()):
            fields = {key: value for key, value in rule.items() if key != "key"}
            created["updated"] += PolicyTerm.objects.filter(key=rule["key"]).update(
                **fields, updated_at=timezone.now()
            )
    for key, name, holder, aliases, unless in RIGHTS_HOLDERS:
        fields = {"name": name, "holder": holder, "aliases": _t(aliases), "unless": _t(unless),
                  "policy": "block"}  # fmt: skip
        row = RightsHolder.objects.filter(key=f"rights.{key}").values(*fields).first()
        if row is None or _holder_fingerprint(row) == _holder_fingerprint(fields):
            continue
        if _holder_fingerprint(row) in previous.get(f"rights.{key}", ()):
            created["updated"] += RightsHolder.objects.filter(key=f"rights.{key}").update(
                **fields, updated_at=timezone.now()
            )
    return created
