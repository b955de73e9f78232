<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr_FR">
<context>
    <name>ChatPanel</name>
    <message>
        <source>Chat</source>
        <translation>Discussion</translation>
    </message>
    <message>
        <source>Chat messages</source>
        <translation>Messages de la discussion</translation>
    </message>
    <message>
        <source>Type a message and press Enter</source>
        <translation>Tapez un message puis appuyez sur Entrée</translation>
    </message>
    <message>
        <source>Chat message</source>
        <translation>Message</translation>
    </message>
    <message>
        <source>Press Enter to send</source>
        <translation>Appuyez sur Entrée pour envoyer</translation>
    </message>
    <message>
        <source>You</source>
        <translation>Vous</translation>
    </message>
</context>
<context>
    <name>CodePage</name>
    <message>
        <source>Security code</source>
        <translation>Code de sécurité</translation>
    </message>
    <message>
        <source>Time left for this code</source>
        <translation>Temps restant pour ce code</translation>
    </message>
    <message>
        <source>&amp;Copy code</source>
        <translation>&amp;Copier le code</translation>
    </message>
    <message>
        <source>&amp;New code</source>
        <translation>&amp;Nouveau code</translation>
    </message>
    <message>
        <source>Read this code to the person you are helping.</source>
        <translation>Lisez ce code à la personne que vous aidez.</translation>
    </message>
    <message>
        <source>Your security code</source>
        <translation>Votre code de sécurité</translation>
    </message>
    <message>
        <source>They type it into Helpline&apos;s “Get help” window, see who you are, and choose what you may do.</source>
        <translation>Elle le saisit dans la fenêtre « Obtenir de l’aide » de Helpline, voit qui vous êtes et choisit ce que vous pouvez faire.</translation>
    </message>
    <message>
        <source>Read this code to the person you are helping. It works once.</source>
        <translation>Lisez ce code à la personne que vous aidez. Il ne sert qu’une fois.</translation>
    </message>
    <message>
        <source>This code has expired. Get a new one.</source>
        <translation>Ce code a expiré. Demandez-en un nouveau.</translation>
    </message>
    <message>
        <source>Expires in {time}</source>
        <translation>Expire dans {time}</translation>
    </message>
    <message>
        <source>Copied ✓</source>
        <translation>Copié ✓</translation>
    </message>
</context>
<context>
    <name>ConsentPage</name>
    <message>
        <source>Also let them copy text to and from my clipboard</source>
        <translation>Lui permettre aussi de copier du texte vers et depuis mon presse-papiers</translation>
    </message>
    <message>
        <source>Also allow administrator tasks (recorded in your organisation&apos;s audit)</source>
        <translation>Permettre aussi les tâches d’administrateur (elles sont consignées)</translation>
    </message>
    <message>
        <source>I know this person</source>
        <translation>Je connais cette personne</translation>
    </message>
    <message>
        <source>Allow &amp;view only</source>
        <translation>Autoriser la &amp;vue seule</translation>
    </message>
    <message>
        <source>Allow &amp;full control</source>
        <translation>Autoriser le &amp;contrôle total</translation>
    </message>
    <message>
        <source>&amp;Decline</source>
        <translation>&amp;Refuser</translation>
    </message>
    <message>
        <source>They see your screen. They cannot click or type.</source>
        <translation>Elle voit votre écran. Elle ne peut ni cliquer ni taper.</translation>
    </message>
    <message>
        <source>They can also use your mouse and keyboard.</source>
        <translation>Elle peut aussi utiliser votre souris et votre clavier.</translation>
    </message>
    <message>
        <source>Nothing is shared, and they are told you said no.</source>
        <translation>Rien n’est partagé, et elle apprend que vous avez refusé.</translation>
    </message>
    <message>
        <source>Type “{words}” to allow anyway</source>
        <translation>Tapez « {words} » pour autoriser quand même</translation>
    </message>
    <message>
        <source>Confirmation for an unverified helper</source>
        <translation>Confirmation pour une personne non vérifiée</translation>
    </message>
    <message>
        <source>Someone wants to help you</source>
        <translation>Quelqu’un veut vous aider</translation>
    </message>
    <message>
        <source>What do you allow?</source>
        <translation>Qu’autorisez-vous ?</translation>
    </message>
    <message>
        <source>You can stop at any time with the red banner at the top of your screen.</source>
        <translation>Vous pouvez arrêter à tout moment avec le bandeau rouge en haut de votre écran.</translation>
    </message>
    <message>
        <source>(no job title)</source>
        <translation>(sans fonction)</translation>
    </message>
    <message>
        <source>✔ Verified organisation: {domain}</source>
        <translation>✔ Organisation vérifiée : {domain}</translation>
    </message>
    <message>
        <source>⚠ Not verified: this person&apos;s organisation could not be confirmed{reason}. Decline unless you are sure who they are.</source>
        <translation>⚠ Non vérifiée : l’organisation de cette personne n’a pas pu être confirmée{reason}. Refusez, sauf si vous savez avec certitude qui elle est.</translation>
    </message>
</context>
<context>
    <name>DeviceStatusWindow</name>
    <message>
        <source>Helpline — This device</source>
        <translation>Helpline — Cet ordinateur</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Action</translation>
    </message>
    <message>
        <source>Requested by</source>
        <translation>Demandée par</translation>
    </message>
    <message>
        <source>Started</source>
        <translation>Début</translation>
    </message>
    <message>
        <source>Finished</source>
        <translation>Fin</translation>
    </message>
    <message>
        <source>State</source>
        <translation>État</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>Résultat</translation>
    </message>
    <message>
        <source>Actions on this device</source>
        <translation>Actions sur cet appareil</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>&amp;Actualiser</translation>
    </message>
    <message>
        <source>This device</source>
        <translation>Cet ordinateur</translation>
    </message>
    <message>
        <source>What your organisation ran here, newest first:</source>
        <translation>Ce que votre organisation a exécuté ici, le plus récent en premier :</translation>
    </message>
    <message>
        <source>This device is enrolled: your organisation can run the actions listed below.</source>
        <translation>Cet ordinateur est inscrit : votre organisation peut y exécuter les actions ci-dessous.</translation>
    </message>
    <message>
        <source>This device is not enrolled: your organisation does not manage it.</source>
        <translation>Cet ordinateur n’est pas inscrit : votre organisation ne le gère pas.</translation>
    </message>
</context>
<context>
    <name>DeviceText</name>
    <message>
        <source>Unenrolled device {name} (name not verified)</source>
        <translation>Appareil non inscrit {name} (nom non vérifié)</translation>
    </message>
    <message>
        <source>Unenrolled device</source>
        <translation>Appareil non inscrit</translation>
    </message>
    <message>
        <source>never</source>
        <translation>jamais</translation>
    </message>
    <message>
        <source>Enrolled device {name}{system}, last check-in {seen}</source>
        <translation>Appareil inscrit {name}{system}, dernier contact {seen}</translation>
    </message>
</context>
<context>
    <name>DeviceTray</name>
    <message>
        <source>Helpline — {name} is managed</source>
        <translation>Helpline — {name} est géré</translation>
    </message>
    <message>
        <source>This device…</source>
        <translation>Cet ordinateur…</translation>
    </message>
    <message>
        <source>Helpline: your IT department</source>
        <translation>Helpline : votre service informatique</translation>
    </message>
    <message>
        <source>Your IT department is about to run “{action}” on this computer, asked by {who}.</source>
        <translation>Votre service informatique va exécuter « {action} » sur cet ordinateur, à la demande de {who}.</translation>
    </message>
</context>
<context>
    <name>DeviceWords</name>
    <message>
        <source>sync</source>
        <translation>synchroniser</translation>
    </message>
    <message>
        <source>restart</source>
        <translation>redémarrer</translation>
    </message>
    <message>
        <source>lock</source>
        <translation>verrouiller</translation>
    </message>
    <message>
        <source>rename</source>
        <translation>renommer</translation>
    </message>
    <message>
        <source>diagnostics</source>
        <translation>diagnostic</translation>
    </message>
    <message>
        <source>retire</source>
        <translation>retirer de la gestion</translation>
    </message>
    <message>
        <source>wipe</source>
        <translation>effacer</translation>
    </message>
    <message>
        <source>fresh start</source>
        <translation>réinstaller</translation>
    </message>
    <message>
        <source>delete</source>
        <translation>supprimer</translation>
    </message>
    <message>
        <source>pending</source>
        <translation>en attente</translation>
    </message>
    <message>
        <source>delivered</source>
        <translation>transmise</translation>
    </message>
    <message>
        <source>running</source>
        <translation>en cours</translation>
    </message>
    <message>
        <source>succeeded</source>
        <translation>réussie</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>échouée</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>annulée</translation>
    </message>
</context>
<context>
    <name>DevicesWindow</name>
    <message>
        <source>Confirm</source>
        <translation>Confirmer</translation>
    </message>
    <message>
        <source>This cannot be undone. Type the device&apos;s name exactly, {name}, to confirm:</source>
        <translation>C’est irréversible. Tapez exactement le nom de l’appareil, {name}, pour confirmer :</translation>
    </message>
    <message>
        <source>online</source>
        <translation>en ligne</translation>
    </message>
    <message>
        <source>offline</source>
        <translation>hors ligne</translation>
    </message>
    <message>
        <source>never</source>
        <translation>jamais</translation>
    </message>
    <message>
        <source>OS: {os}</source>
        <translation>Système : {os}</translation>
    </message>
    <message>
        <source>Owner: {owner}   Groups: {groups}</source>
        <translation>Propriétaire : {owner}   Groupes : {groups}</translation>
    </message>
    <message>
        <source>Enrolled: {enrolled}   Last check-in: {seen}</source>
        <translation>Inscrit : {enrolled}   Dernier contact : {seen}</translation>
    </message>
    <message>
        <source>Helpline {version}   Id: {id}</source>
        <translation>Helpline {version}   Identifiant : {id}</translation>
    </message>
    <message>
        <source>pending (needs a second approver)</source>
        <translation>en attente (une deuxième approbation est requise)</translation>
    </message>
    <message>
        <source>Helpline — Devices</source>
        <translation>Helpline — Appareils</translation>
    </message>
    <message>
        <source>Search devices</source>
        <translation>Rechercher des appareils</translation>
    </message>
    <message>
        <source>Search by name, owner, OS or group</source>
        <translation>Rechercher par nom, propriétaire, système ou groupe</translation>
    </message>
    <message>
        <source>Devices</source>
        <translation>Appareils</translation>
    </message>
    <message>
        <source>Choose a device.</source>
        <translation>Choisissez un appareil.</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Action</translation>
    </message>
    <message>
        <source>New name (rename)</source>
        <translation>Nouveau nom (renommer)</translation>
    </message>
    <message>
        <source>new name (rename)</source>
        <translation>nouveau nom (renommer)</translation>
    </message>
    <message>
        <source>Keep user data</source>
        <translation>Garder les données de l’utilisateur</translation>
    </message>
    <message>
        <source>Request</source>
        <translation>Demander</translation>
    </message>
    <message>
        <source>Help on this device</source>
        <translation>Aider sur cet appareil</translation>
    </message>
    <message>
        <source>Ask this device for a session instead of reading out a code: the person there sees your card and chooses, as with a code</source>
        <translation>Demander une session à cet appareil au lieu de dicter un code : la personne qui s&apos;y trouve voit votre carte et choisit, comme avec un code</translation>
    </message>
    <message>
        <source>This action cannot be undone: you will type the device&apos;s name to confirm.</source>
        <translation>Cette action est irréversible : vous taperez le nom de l’appareil pour confirmer.</translation>
    </message>
    <message>
        <source>State</source>
        <translation>État</translation>
    </message>
    <message>
        <source>Requested by</source>
        <translation>Demandée par</translation>
    </message>
    <message>
        <source>Progress or result</source>
        <translation>Avancement ou résultat</translation>
    </message>
    <message>
        <source>Actions on this device</source>
        <translation>Actions sur cet appareil</translation>
    </message>
    <message>
        <source>Cancel action</source>
        <translation>Annuler l’action</translation>
    </message>
    <message>
        <source>Approve</source>
        <translation>Approuver</translation>
    </message>
    <message>
        <source>Show report</source>
        <translation>Afficher le rapport</translation>
    </message>
    <message>
        <source>Save report…</source>
        <translation>Enregistrer le rapport…</translation>
    </message>
    <message>
        <source>Run an action</source>
        <translation>Exécuter une action</translation>
    </message>
    <message>
        <source>Actions</source>
        <translation>Actions</translation>
    </message>
    <message>
        <source>Diagnostics report</source>
        <translation>Rapport de diagnostic</translation>
    </message>
    <message>
        <source>No device you may see matches.</source>
        <translation>Aucun appareil visible pour vous ne correspond.</translation>
    </message>
    <message>
        <source>Save report</source>
        <translation>Enregistrer le rapport</translation>
    </message>
</context>
<context>
    <name>EndReasons</name>
    <message>
        <source>The session ended.</source>
        <translation>La session est terminée.</translation>
    </message>
</context>
<context>
    <name>EndedPage</name>
    <message>
        <source>&amp;New session</source>
        <translation>&amp;Nouvelle session</translation>
    </message>
    <message>
        <source>Session ended</source>
        <translation>Session terminée</translation>
    </message>
    <message>
        <source>&amp;Get help again</source>
        <translation>&amp;Obtenir à nouveau de l’aide</translation>
    </message>
</context>
<context>
    <name>EntryPage</name>
    <message>
        <source>Who you are (development sign-in)</source>
        <translation>Qui vous êtes (connexion de développement)</translation>
    </message>
    <message>
        <source>Security code</source>
        <translation>Code de sécurité</translation>
    </message>
    <message>
        <source>The eight letters and digits your helper reads out to you</source>
        <translation>Les huit lettres et chiffres que la personne qui vous aide vous lit</translation>
    </message>
    <message>
        <source>&amp;Connect</source>
        <translation>Se &amp;connecter</translation>
    </message>
    <message>
        <source>&amp;Security code from your helper:</source>
        <translation>Code de &amp;sécurité donné par la personne qui vous aide :</translation>
    </message>
    <message>
        <source>Get help from your IT department</source>
        <translation>Obtenir de l’aide de votre service informatique</translation>
    </message>
    <message>
        <source>Only enter a code that someone from your organisation gave you. You will see who they are before anything is shared.</source>
        <translation>Ne saisissez qu’un code donné par quelqu’un de votre organisation. Vous verrez qui c’est avant que quoi que ce soit ne soit partagé.</translation>
    </message>
    <message>
        <source>Development sign-in: choose who you are.</source>
        <translation>Connexion de développement : choisissez qui vous êtes.</translation>
    </message>
    <message>
        <source>You will sign in with your work account.</source>
        <translation>Vous vous connecterez avec votre compte professionnel.</translation>
    </message>
    <message>
        <source>A code has eight letters and digits, like ABCD-EFGH.</source>
        <translation>Un code comporte huit lettres et chiffres, par exemple ABCD-EFGH.</translation>
    </message>
</context>
<context>
    <name>FieldText</name>
    <message>
        <source>First connection to this server: its key is now remembered, but nothing confirms it is your organisation&apos;s, so cards it shows are not verified.</source>
        <translation>Première connexion à ce serveur : sa clé est désormais mémorisée, mais rien ne confirme qu’il s’agit de celle de votre organisation ; les cartes qu’il présente ne sont donc pas vérifiées.</translation>
    </message>
    <message>
        <source>Warning: this is not your organisation&apos;s server; cards it shows are not verified.</source>
        <translation>Attention : ce n’est pas le serveur de votre organisation ; les cartes qu’il présente ne sont pas vérifiées.</translation>
    </message>
    <message>
        <source>Connected through your organisation&apos;s relay server.</source>
        <translation>Connecté par le serveur relais de votre organisation.</translation>
    </message>
    <message>
        <source>Connected directly.</source>
        <translation>Connecté directement.</translation>
    </message>
</context>
<context>
    <name>HelperEndReasons</name>
    <message>
        <source>You ended the session.</source>
        <translation>Vous avez mis fin à la session.</translation>
    </message>
    <message>
        <source>The person you were helping ended the session.</source>
        <translation>La personne que vous aidiez a mis fin à la session.</translation>
    </message>
    <message>
        <source>The person declined your request.</source>
        <translation>La personne a refusé votre demande.</translation>
    </message>
    <message>
        <source>Your connection to the server was lost.</source>
        <translation>Votre connexion au serveur a été perdue.</translation>
    </message>
    <message>
        <source>The other person&apos;s connection was lost.</source>
        <translation>La connexion de l’autre personne a été perdue.</translation>
    </message>
    <message>
        <source>The connection was lost: the other side stopped answering.</source>
        <translation>La connexion a été perdue : l’autre côté ne répond plus.</translation>
    </message>
    <message>
        <source>The code expired before anyone used it.</source>
        <translation>Le code a expiré avant d’être utilisé.</translation>
    </message>
    <message>
        <source>The device did not answer your request to help in time.</source>
        <translation>L&apos;appareil n&apos;a pas répondu à temps à votre demande d&apos;aide.</translation>
    </message>
    <message>
        <source>The connection was refused: the identity check failed.</source>
        <translation>La connexion a été refusée : la vérification d’identité a échoué.</translation>
    </message>
    <message>
        <source>The connection could not be made.</source>
        <translation>La connexion n’a pas pu être établie.</translation>
    </message>
    <message>
        <source>The server was shut down.</source>
        <translation>Le serveur a été arrêté.</translation>
    </message>
    <message>
        <source>The connection to the server was lost.</source>
        <translation>La connexion au serveur a été perdue.</translation>
    </message>
    <message>
        <source>The server lost touch with the others of its group; try again.</source>
        <translation>Le serveur a perdu le contact avec les autres serveurs de son groupe ; réessayez.</translation>
    </message>
    <message>
        <source>The session ended because of an error.</source>
        <translation>La session s’est terminée à cause d’une erreur.</translation>
    </message>
    <message>
        <source>The session reached your organisation&apos;s time limit.</source>
        <translation>La session a atteint la durée maximale fixée par votre organisation.</translation>
    </message>
    <message>
        <source>Nobody answered your request in time.</source>
        <translation>Personne n’a répondu à temps à votre demande.</translation>
    </message>
    <message>
        <source>The session ended because nothing happened in it for a while.</source>
        <translation>La session s’est terminée faute d’activité pendant un moment.</translation>
    </message>
</context>
<context>
    <name>HelperWindow</name>
    <message>
        <source>Sign-in failed</source>
        <translation>Échec de la connexion</translation>
    </message>
    <message>
        <source>Not allowed to help</source>
        <translation>Aide non autorisée</translation>
    </message>
    <message>
        <source>Outside your scope</source>
        <translation>Hors de votre périmètre</translation>
    </message>
    <message>
        <source>Connection lost</source>
        <translation>Connexion perdue</translation>
    </message>
    <message>
        <source>Helpline — Helper</source>
        <translation>Helpline — Assistance</translation>
    </message>
    <message>
        <source>Devices…</source>
        <translation>Appareils…</translation>
    </message>
    <message>
        <source>The sharer&apos;s clipboard text is on your clipboard.</source>
        <translation>Le texte du presse-papiers de la personne aidée est dans votre presse-papiers.</translation>
    </message>
    <message>
        <source>nothing beyond the level</source>
        <translation>rien de plus que le niveau accordé</translation>
    </message>
    <message>
        <source>The sharer now allows: {what}.</source>
        <translation>La personne aidée autorise maintenant : {what}.</translation>
    </message>
    <message>
        <source>Signed in as {name} ({user}).</source>
        <translation>Connecté en tant que {name} ({user}).</translation>
    </message>
    <message>
        <source>Asking {device}…</source>
        <translation>Demande à {device}…</translation>
    </message>
    <message>
        <source>{device} was asked for a session. The person there sees your identity card and chooses, as with a code. If nobody answers by {until} UTC the request expires.</source>
        <translation>Une session a été demandée à {device}. La personne qui s&apos;y trouve voit votre carte d&apos;identité et choisit, comme avec un code. Si personne ne répond avant {until} UTC, la demande expire.</translation>
    </message>
    <message>
        <source>{sharer} on {device}</source>
        <translation>{sharer} sur {device}</translation>
    </message>
    <message>
        <source>Waiting for permission</source>
        <translation>En attente de l’autorisation</translation>
    </message>
    <message>
        <source>{who} is looking at your identity card and deciding whether to let you view or control their screen.</source>
        <translation>{who} examine votre carte d’identité et décide s’il vous laisse voir ou contrôler son écran.</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>Connexion…</translation>
    </message>
    <message>
        <source>Permission granted to view and control the screen. Connecting…</source>
        <translation>Autorisation accordée de voir et de contrôler l’écran. Connexion…</translation>
    </message>
    <message>
        <source>Permission granted to view the screen. Connecting…</source>
        <translation>Autorisation accordée de voir l’écran. Connexion…</translation>
    </message>
    <message>
        <source>You have control.</source>
        <translation>Vous avez le contrôle.</translation>
    </message>
    <message>
        <source>Control was taken back: view only.</source>
        <translation>Le contrôle vous a été retiré : vue seule.</translation>
    </message>
    <message>
        <source>Sharer</source>
        <translation>Personne aidée</translation>
    </message>
</context>
<context>
    <name>RemoteScreen</name>
    <message>
        <source>Remote screen</source>
        <translation>Écran distant</translation>
    </message>
    <message>
        <source>The other person&apos;s screen; with control, your mouse and keys go there</source>
        <translation>L’écran de l’autre personne ; avec le contrôle, votre souris et vos touches y sont envoyées</translation>
    </message>
    <message>
        <source>Waiting for the screen…</source>
        <translation>En attente de l’écran…</translation>
    </message>
</context>
<context>
    <name>ReportView</name>
    <message>
        <source>B</source>
        <translation>o</translation>
    </message>
    <message>
        <source>KB</source>
        <translation>Ko</translation>
    </message>
    <message>
        <source>MB</source>
        <translation>Mo</translation>
    </message>
    <message>
        <source>GB</source>
        <translation>Go</translation>
    </message>
    <message>
        <source>TB</source>
        <translation>To</translation>
    </message>
    <message>
        <source>{days} d {hours} h {minutes} min</source>
        <translation>{days} j {hours} h {minutes} min</translation>
    </message>
    <message>
        <source>{hours} h {minutes} min</source>
        <translation>{hours} h {minutes} min</translation>
    </message>
    <message>
        <source>Diagnostics report</source>
        <translation>Rapport de diagnostic</translation>
    </message>
    <message>
        <source>Choose a diagnostics action and press Show report.</source>
        <translation>Choisissez une action de diagnostic et appuyez sur Afficher le rapport.</translation>
    </message>
    <message>
        <source>Collected at {time}</source>
        <translation>Collecté le {time}</translation>
    </message>
    <message>
        <source>System</source>
        <translation>Système</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nom</translation>
    </message>
    <message>
        <source>Kernel</source>
        <translation>Noyau</translation>
    </message>
    <message>
        <source>Up for</source>
        <translation>Allumé depuis</translation>
    </message>
    <message>
        <source>Helpline</source>
        <translation>Version de Helpline</translation>
    </message>
    <message>
        <source>Hardware</source>
        <translation>Matériel</translation>
    </message>
    <message>
        <source>Processor</source>
        <translation>Processeur</translation>
    </message>
    <message>
        <source>Cores</source>
        <translation>Cœurs</translation>
    </message>
    <message>
        <source>Memory</source>
        <translation>Mémoire</translation>
    </message>
    <message>
        <source>Architecture</source>
        <translation>Architecture matérielle</translation>
    </message>
    <message>
        <source>Disks</source>
        <translation>Disques</translation>
    </message>
    <message>
        <source>{free} free of {total}</source>
        <translation>{free} libres sur {total}</translation>
    </message>
    <message>
        <source>Disk {mount}: {words}</source>
        <translation>Disque {mount} : {words}</translation>
    </message>
    <message>
        <source>Network</source>
        <translation>Réseau</translation>
    </message>
    <message>
        <source>Full name</source>
        <translation>Nom complet</translation>
    </message>
    <message>
        <source>Interfaces</source>
        <translation>Interfaces réseau</translation>
    </message>
    <message>
        <source>Addresses</source>
        <translation>Adresses</translation>
    </message>
    <message>
        <source>Recent agent log</source>
        <translation>Journal récent de l’agent</translation>
    </message>
    <message>
        <source>No log lines were reported.</source>
        <translation>Aucune ligne de journal n’a été transmise.</translation>
    </message>
    <message>
        <source>Log {name}</source>
        <translation>Journal {name}</translation>
    </message>
</context>
<context>
    <name>RestartDialog</name>
    <message>
        <source>Your organisation will restart this computer in {time}. Save your work.</source>
        <translation>Votre organisation va redémarrer cet ordinateur dans {time}. Enregistrez votre travail.</translation>
    </message>
    <message>
        <source>Helpline — Restart</source>
        <translation>Helpline — Redémarrage</translation>
    </message>
    <message>
        <source>Time left before the restart</source>
        <translation>Temps restant avant le redémarrage</translation>
    </message>
    <message>
        <source>&amp;Postpone {minutes} minutes (once)</source>
        <translation>&amp;Reporter de {minutes} minutes (une fois)</translation>
    </message>
    <message>
        <source>You can put the restart off once.</source>
        <translation>Vous pouvez reporter le redémarrage une fois.</translation>
    </message>
    <message>
        <source>Restart coming</source>
        <translation>Redémarrage imminent</translation>
    </message>
</context>
<context>
    <name>SessionPage</name>
    <message>
        <source>Paused by the sharer</source>
        <translation>Mis en pause par la personne aidée</translation>
    </message>
    <message>
        <source>Sharing paused</source>
        <translation>Partage en pause</translation>
    </message>
    <message>
        <source>Session</source>
        <translation>Barre de session</translation>
    </message>
    <message>
        <source>Request &amp;control</source>
        <translation>Demander le &amp;contrôle</translation>
    </message>
    <message>
        <source>C&amp;hat</source>
        <translation>&amp;Discussion</translation>
    </message>
    <message>
        <source>&amp;1:1</source>
        <translation>&amp;1:1 (taille réelle)</translation>
    </message>
    <message>
        <source>Show the picture pixel for pixel (Ctrl+1); off: fit it to the window</source>
        <translation>Afficher l’image pixel pour pixel (Ctrl+1) ; sinon : l’ajuster à la fenêtre</translation>
    </message>
    <message>
        <source>&amp;End session</source>
        <translation>&amp;Terminer la session</translation>
    </message>
    <message>
        <source>View only</source>
        <translation>Vue seule</translation>
    </message>
    <message>
        <source>Picture, frame rate and round-trip time</source>
        <translation>Image, fréquence d’images et temps aller-retour</translation>
    </message>
    <message>
        <source>● Controlling</source>
        <translation>● Contrôle en cours</translation>
    </message>
    <message>
        <source>paused</source>
        <translation>en pause</translation>
    </message>
    <message>
        <source>sharp</source>
        <translation>net</translation>
    </message>
    <message>
        <source>moving</source>
        <translation>en mouvement</translation>
    </message>
    <message>
        <source>relayed</source>
        <translation>par relais</translation>
    </message>
</context>
<context>
    <name>SharerEndReasons</name>
    <message>
        <source>You stopped sharing.</source>
        <translation>Vous avez arrêté le partage.</translation>
    </message>
    <message>
        <source>Your helper ended the session.</source>
        <translation>La personne qui vous aide a mis fin à la session.</translation>
    </message>
    <message>
        <source>You declined. Nothing was shared.</source>
        <translation>Vous avez refusé. Rien n’a été partagé.</translation>
    </message>
    <message>
        <source>Your helper&apos;s connection was lost.</source>
        <translation>La connexion de la personne qui vous aide a été perdue.</translation>
    </message>
    <message>
        <source>Your connection to the server was lost.</source>
        <translation>Votre connexion au serveur a été perdue.</translation>
    </message>
    <message>
        <source>The connection to your helper was lost.</source>
        <translation>La connexion avec la personne qui vous aide a été perdue.</translation>
    </message>
    <message>
        <source>The code had expired. Ask your helper for a new one.</source>
        <translation>Le code avait expiré. Demandez-en un nouveau à la personne qui vous aide.</translation>
    </message>
    <message>
        <source>The helper&apos;s request to help on this device expired.</source>
        <translation>La demande d&apos;aide sur cet appareil a expiré.</translation>
    </message>
    <message>
        <source>Stopped for your safety: the connection did not come from the verified helper.</source>
        <translation>Arrêté pour votre sécurité : la connexion ne venait pas de la personne vérifiée.</translation>
    </message>
    <message>
        <source>The connection to your helper could not be made.</source>
        <translation>La connexion avec la personne qui vous aide n’a pas pu être établie.</translation>
    </message>
    <message>
        <source>The Helpline server was shut down.</source>
        <translation>Le serveur Helpline a été arrêté.</translation>
    </message>
    <message>
        <source>The connection to the Helpline server was lost.</source>
        <translation>La connexion au serveur Helpline a été perdue.</translation>
    </message>
    <message>
        <source>The Helpline server lost touch with the others of its group. Ask your helper to try again.</source>
        <translation>Le serveur Helpline a perdu le contact avec les autres serveurs de son groupe. Demandez à la personne qui vous aide de réessayer.</translation>
    </message>
    <message>
        <source>The session ended because of an error.</source>
        <translation>La session s’est terminée à cause d’une erreur.</translation>
    </message>
    <message>
        <source>The session reached your organisation&apos;s time limit. Nothing is shared any more.</source>
        <translation>La session a atteint la durée maximale fixée par votre organisation. Plus rien n’est partagé.</translation>
    </message>
    <message>
        <source>The request was not answered in time, so nothing was shared.</source>
        <translation>La demande n’a pas reçu de réponse à temps ; rien n’a donc été partagé.</translation>
    </message>
    <message>
        <source>The session ended because nothing happened in it for a while. Nothing is shared any more.</source>
        <translation>La session s’est terminée faute d’activité pendant un moment. Plus rien n’est partagé.</translation>
    </message>
</context>
<context>
    <name>SharerWindow</name>
    <message>
        <source>Helpline — Get help</source>
        <translation>Helpline — Obtenir de l’aide</translation>
    </message>
    <message>
        <source>This device…</source>
        <translation>Cet ordinateur…</translation>
    </message>
    <message>
        <source>your helper</source>
        <translation>la personne qui vous aide</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>Connexion…</translation>
    </message>
    <message>
        <source>Connecting {name} to your screen.</source>
        <translation>Connexion de {name} à votre écran.</translation>
    </message>
    <message>
        <source>Signed in as {name} ({user}).</source>
        <translation>Connecté en tant que {name} ({user}).</translation>
    </message>
    <message>
        <source>You are sharing your screen with {name}. Use the red banner at the top of the screen to stop at any time.</source>
        <translation>Vous partagez votre écran avec {name}. Utilisez le bandeau rouge en haut de l’écran pour arrêter à tout moment.</translation>
    </message>
    <message>
        <source>Helper</source>
        <translation>Personne qui vous aide</translation>
    </message>
    <message>
        <source>{name} put text on your clipboard.</source>
        <translation>{name} a placé du texte dans votre presse-papiers.</translation>
    </message>
    <message>
        <source>The request for control was not answered in time.</source>
        <translation>La demande de contrôle n’a pas reçu de réponse à temps.</translation>
    </message>
    <message>
        <source>{name} saved a picture of your screen.</source>
        <translation>{name} a enregistré une image de votre écran.</translation>
    </message>
    <message>
        <source>This device, {device}, can be asked for help: your organisation&apos;s helpers in scope may ask, and you choose when they do. A code works too.</source>
        <translation>Cet appareil, {device}, peut recevoir des demandes d&apos;aide : les assistants de votre organisation qui en ont le droit peuvent demander, et vous choisissez quand ils le font. Un code fonctionne aussi.</translation>
    </message>
    <message>
        <source>{name} asks to help you on this device.</source>
        <translation>{name} demande à vous aider sur cet appareil.</translation>
    </message>
</context>
<context>
    <name>SharingBanner</name>
    <message>
        <source>Helpline — sharing your screen</source>
        <translation>Helpline — partage de votre écran</translation>
    </message>
    <message>
        <source>Revoke &amp;control</source>
        <translation>Retirer le &amp;contrôle</translation>
    </message>
    <message>
        <source>&amp;Pause</source>
        <translation>&amp;Pause</translation>
    </message>
    <message>
        <source>C&amp;hat</source>
        <translation>&amp;Discussion</translation>
    </message>
    <message>
        <source>&amp;Stop sharing</source>
        <translation>Arrê&amp;ter le partage</translation>
    </message>
    <message>
        <source>Stop &amp;extras</source>
        <translation>Retirer les &amp;extras</translation>
    </message>
    <message>
        <source>&amp;Allow control</source>
        <translation>&amp;Autoriser le contrôle</translation>
    </message>
    <message>
        <source>&amp;Deny</source>
        <translation>&amp;Refuser</translation>
    </message>
    <message>
        <source>{name} ({company})</source>
        <translation>{name} ({company})</translation>
    </message>
    <message>
        <source>Sharing paused: {name} sees a blank screen.</source>
        <translation>Partage en pause : {name} voit un écran vide.</translation>
    </message>
    <message>
        <source>{name} is controlling your screen.</source>
        <translation>{name} contrôle votre écran.</translation>
    </message>
    <message>
        <source>{name} is viewing your screen.</source>
        <translation>{name} voit votre écran.</translation>
    </message>
    <message>
        <source>Give &amp;control</source>
        <translation>Donner le &amp;contrôle</translation>
    </message>
    <message>
        <source>&amp;Resume</source>
        <translation>&amp;Reprendre</translation>
    </message>
    <message>
        <source>Also allowed: {what}.</source>
        <translation>Également autorisé : {what}.</translation>
    </message>
    <message>
        <source>{name} asks for full control of your mouse and keyboard.</source>
        <translation>{name} demande le contrôle total de votre souris et de votre clavier.</translation>
    </message>
</context>
<context>
    <name>SharingPage</name>
    <message>
        <source>Message your helper and press Enter</source>
        <translation>Écrivez à la personne qui vous aide puis appuyez sur Entrée</translation>
    </message>
</context>
<context>
    <name>SignInPage</name>
    <message>
        <source>Who you are (development sign-in)</source>
        <translation>Qui vous êtes (connexion de développement)</translation>
    </message>
    <message>
        <source>&amp;Sign in</source>
        <translation>Se &amp;connecter</translation>
    </message>
    <message>
        <source>Sign in with &amp;Microsoft</source>
        <translation>Se connecter avec &amp;Microsoft</translation>
    </message>
    <message>
        <source>Looking for the server…</source>
        <translation>Recherche du serveur…</translation>
    </message>
    <message>
        <source>Sign in to Helpline</source>
        <translation>Connexion à Helpline</translation>
    </message>
    <message>
        <source>Sign in with your work account to get a security code for the person you are helping.</source>
        <translation>Connectez-vous avec votre compte professionnel pour obtenir un code de sécurité pour la personne que vous aidez.</translation>
    </message>
    <message>
        <source>Development sign-in: choose who you are.</source>
        <translation>Connexion de développement : choisissez qui vous êtes.</translation>
    </message>
    <message>
        <source>Sign in with your work account.</source>
        <translation>Connectez-vous avec votre compte professionnel.</translation>
    </message>
</context>
<context>
    <name>StatusPage</name>
    <message>
        <source>&amp;Cancel</source>
        <translation>&amp;Annuler</translation>
    </message>
    <message>
        <source>&amp;Stop</source>
        <translation>&amp;Arrêter</translation>
    </message>
</context>
<context>
    <name>Words</name>
    <message>
        <source>the connection is too slow for the picture; trying at a lower quality</source>
        <translation>la connexion est trop lente pour l’image ; essai avec une qualité plus basse</translation>
    </message>
    <message>
        <source>the connection carries the picture again</source>
        <translation>la connexion transmet de nouveau l’image</translation>
    </message>
    <message>
        <source>The Helpline server cannot be reached. The session goes on; reconnecting to the server…</source>
        <translation>Le serveur Helpline est injoignable. La session continue ; reconnexion au serveur…</translation>
    </message>
    <message>
        <source>Connected to the server again; the session goes on as before.</source>
        <translation>De nouveau connecté au serveur ; la session continue comme avant.</translation>
    </message>
    <message>
        <source>Connected to the server again.</source>
        <translation>De nouveau connecté au serveur.</translation>
    </message>
    <message>
        <source>Connected to the server again. It restarted, so the code you had no longer works: give the new one instead.</source>
        <translation>De nouveau connecté au serveur. Il a redémarré, donc votre ancien code ne fonctionne plus : donnez le nouveau.</translation>
    </message>
    <message>
        <source>The sharer&apos;s screen shows an administrator prompt you cannot see. Ask them to answer it; the picture comes back when it closes.</source>
        <translation>L’écran de la personne aidée affiche une demande d’administrateur que vous ne pouvez pas voir. Demandez-lui d’y répondre ; l’image revient quand elle se ferme.</translation>
    </message>
    <message>
        <source>The administrator prompt has closed: you see the sharer&apos;s screen again.</source>
        <translation>La demande d’administrateur est fermée : vous voyez de nouveau l’écran de la personne aidée.</translation>
    </message>
    <message>
        <source>view</source>
        <translation>vue</translation>
    </message>
    <message>
        <source>control</source>
        <translation>contrôle</translation>
    </message>
    <message>
        <source>chat</source>
        <translation>discussion</translation>
    </message>
    <message>
        <source>clipboard</source>
        <translation>presse-papiers</translation>
    </message>
    <message>
        <source>files</source>
        <translation>fichiers</translation>
    </message>
    <message>
        <source>administrator tasks</source>
        <translation>tâches d’administrateur</translation>
    </message>
    <message>
        <source>device actions</source>
        <translation>actions sur les appareils</translation>
    </message>
    <message>
        <source>reports</source>
        <translation>rapports</translation>
    </message>
    <message>
        <source>{n} seconds</source>
        <translation>{n} secondes</translation>
    </message>
    <message>
        <source>about {n} minutes</source>
        <translation>environ {n} minutes</translation>
    </message>
    <message>
        <source>This session reaches your organisation&apos;s time limit in {minutes}: it will end then.</source>
        <translation>Cette session atteint la durée maximale fixée par votre organisation dans {minutes} : elle se terminera alors.</translation>
    </message>
    <message>
        <source>The helper&apos;s role changed while the server was away. No longer allowed: {names}. The session goes on with what is still allowed.</source>
        <translation>Le rôle de la personne qui aide a changé pendant l’absence du serveur. N’est plus autorisé : {names}. La session continue avec ce qui reste autorisé.</translation>
    </message>
    <message>
        <source>That was too long to send.</source>
        <translation>C’était trop long pour être envoyé.</translation>
    </message>
    <message>
        <source>The server could not read a message.</source>
        <translation>Le serveur n’a pas pu lire un message.</translation>
    </message>
    <message>
        <source>The server did not understand a message.</source>
        <translation>Le serveur n’a pas compris un message.</translation>
    </message>
    <message>
        <source>This app is too old or too new for the server: update it.</source>
        <translation>Cette application est trop ancienne ou trop récente pour le serveur : mettez-la à jour.</translation>
    </message>
    <message>
        <source>That cannot be done as asked.</source>
        <translation>Impossible de le faire tel que demandé.</translation>
    </message>
    <message>
        <source>That cannot be done at this moment.</source>
        <translation>Impossible de le faire pour le moment.</translation>
    </message>
    <message>
        <source>You are not signed in.</source>
        <translation>Vous n’êtes pas connecté.</translation>
    </message>
    <message>
        <source>The sign-in was not accepted. Sign in again.</source>
        <translation>La connexion n’a pas été acceptée. Reconnectez-vous.</translation>
    </message>
    <message>
        <source>Your sign-in has expired. Sign in again.</source>
        <translation>Votre connexion a expiré. Reconnectez-vous.</translation>
    </message>
    <message>
        <source>Your organisation does not allow that.</source>
        <translation>Votre organisation ne le permet pas.</translation>
    </message>
    <message>
        <source>That code is not valid or has expired. Ask your helper for a new one.</source>
        <translation>Ce code n’est pas valide ou a expiré. Demandez-en un nouveau à la personne qui vous aide.</translation>
    </message>
    <message>
        <source>Too many wrong codes were tried, so entering codes is locked for a while. Try again later.</source>
        <translation>Trop de codes erronés ont été essayés : la saisie des codes est bloquée pendant un moment. Réessayez plus tard.</translation>
    </message>
    <message>
        <source>This helper is not allowed to help on this computer.</source>
        <translation>Cette personne n’est pas autorisée à aider sur cet ordinateur.</translation>
    </message>
    <message>
        <source>That is not offered in this session.</source>
        <translation>Ce n’est pas proposé dans cette session.</translation>
    </message>
    <message>
        <source>The server could not take the session back.</source>
        <translation>Le serveur n’a pas pu reprendre la session.</translation>
    </message>
    <message>
        <source>The server had a problem. Try again.</source>
        <translation>Le serveur a rencontré un problème. Réessayez.</translation>
    </message>
    <message>
        <source>Your organisation does not allow help on this device.</source>
        <translation>Votre organisation n’autorise pas l’aide sur cet appareil.</translation>
    </message>
    <message>
        <source>The server takes no new sessions right now. Try again in a moment.</source>
        <translation>Le serveur n’accepte pas de nouvelle session pour l’instant. Réessayez dans un moment.</translation>
    </message>
    <message>
        <source>The sign-in failed.</source>
        <translation>La connexion a échoué.</translation>
    </message>
    <message>
        <source>The connection to the Helpline server was lost.</source>
        <translation>La connexion au serveur Helpline a été perdue.</translation>
    </message>
    <message>
        <source>That works once the session is connected.</source>
        <translation>Cela fonctionne une fois la session connectée.</translation>
    </message>
    <message>
        <source>No picture has arrived yet.</source>
        <translation>Aucune image n’est encore arrivée.</translation>
    </message>
    <message>
        <source>No screen can be shared here.</source>
        <translation>Aucun écran ne peut être partagé ici.</translation>
    </message>
    <message>
        <source>Stopped for your safety: the helper&apos;s identity could not be verified.</source>
        <translation>Arrêté pour votre sécurité : l’identité de la personne qui aide n’a pas pu être vérifiée.</translation>
    </message>
    <message>
        <source>Stopped for your safety: the connection did not come from the verified helper.</source>
        <translation>Arrêté pour votre sécurité : la connexion ne venait pas de la personne vérifiée.</translation>
    </message>
    <message>
        <source>Warning: the server&apos;s key has changed. This may not be your organisation&apos;s server.</source>
        <translation>Attention : la clé du serveur a changé. Ce n’est peut-être pas le serveur de votre organisation.</translation>
    </message>
    <message>
        <source>Warning: this is not your organisation&apos;s server.</source>
        <translation>Attention : ce n’est pas le serveur de votre organisation.</translation>
    </message>
    <message>
        <source>Something went wrong. Try again.</source>
        <translation>Un problème est survenu. Réessayez.</translation>
    </message>
</context>
</TS>
