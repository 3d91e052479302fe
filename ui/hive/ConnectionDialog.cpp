#include "ui/hive/ConnectionDialog.h"

#include "sync/shape/ShapeProbe.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

#include <algorithm>

namespace hivewatch {

namespace {
// Item data of the "new profile" entry of the profile chooser.
const QString kNewProfile = QStringLiteral("\x01new");
} // namespace

ConnectionDialog::ConnectionDialog(const QList<ConnectionProfile> &saved,
                                   const ConnectionProfile &initial, QWidget *parent)
    : QDialog(parent)
    , m_saved(saved)
    , m_profiles(new QComboBox(this))
    , m_deleteProfile(new QPushButton(tr("&Delete profile"), this))
    , m_name(new QLineEdit(this))
    , m_sourceList(new QListWidget(this))
    , m_addSource(new QPushButton(tr("&Add source"), this))
    , m_removeSource(new QPushButton(tr("Re&move source"), this))
    , m_sourceName(new QLineEdit(this))
    , m_url(new QLineEdit(this))
    , m_style(new QComboBox(this))
    , m_auth(new QComboBox(this))
    , m_secretLabel(new QLabel(this))
    , m_secret(new QLineEdit(this))
    , m_tokenCommand(new QLineEdit(this))
    , m_caFile(new QLineEdit(this))
    , m_browseCaFile(new QPushButton(tr("&Browse…"), this))
    , m_remember(new QCheckBox(tr("&Remember secrets in the system keychain"), this))
    , m_test(new QPushButton(tr("&Test"), this))
    , m_testResult(new QLabel(this))
    , m_problem(new QLabel(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
    , m_probe(new ShapeProbe(this))
{
    setWindowTitle(tr("Connect to a hive"));
    for (const ConnectionProfile &profile : std::as_const(m_saved))
        m_profiles->addItem(profile.name, profile.name);
    m_profiles->addItem(tr("New profile…"), kNewProfile);
    m_style->addItem(tr("Electric (?table=)"));
    m_style->addItem(tr("Proxy path (/<table>)"));
    m_auth->addItem(tr("None"));
    m_auth->addItem(tr("Electric secret"));
    m_auth->addItem(tr("Bearer token"));
    m_auth->addItem(tr("Token command"));
    m_url->setClearButtonEnabled(true);
    m_secret->setEchoMode(QLineEdit::Password);
    m_tokenCommand->setPlaceholderText(QStringLiteral("pass show hive/token"));
    m_caFile->setPlaceholderText(tr("none: the system's CAs only"));
    m_caFile->setClearButtonEnabled(true);
    m_caFile->setToolTip(tr("A PEM file of CA certificates to trust besides the system's, for an "
                            "https source signed by a private (company) CA. Certificates are "
                            "always verified."));
    m_remember->setChecked(true);
    m_testResult->setWordWrap(true);
    m_testResult->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_problem->setStyleSheet(QStringLiteral("color: #b00020"));
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("&Connect"));

    auto *top = new QFormLayout;
    auto *profileRow = new QHBoxLayout;
    profileRow->addWidget(m_profiles, 1);
    profileRow->addWidget(m_deleteProfile);
    top->addRow(tr("&Profile:"), profileRow);
    top->addRow(tr("&Name:"), m_name);

    auto *sources = new QGroupBox(tr("Sources"), this);
    auto *sourceButtons = new QVBoxLayout;
    sourceButtons->addWidget(m_addSource);
    sourceButtons->addWidget(m_removeSource);
    sourceButtons->addStretch();
    auto *sourceForm = new QFormLayout;
    sourceForm->addRow(tr("Source na&me:"), m_sourceName);
    sourceForm->addRow(tr("&URL:"), m_url);
    sourceForm->addRow(tr("St&yle:"), m_style);
    sourceForm->addRow(tr("&Authentication:"), m_auth);
    m_secretLabel->setBuddy(m_secret);
    sourceForm->addRow(m_secretLabel, m_secret);
    sourceForm->addRow(tr("Token &command:"), m_tokenCommand);
    auto *caRow = new QHBoxLayout;
    caRow->addWidget(m_caFile, 1);
    caRow->addWidget(m_browseCaFile);
    sourceForm->addRow(tr("Extra &CA file:"), caRow);
    auto *sourceLayout = new QHBoxLayout(sources);
    m_sourceList->setMaximumWidth(160);
    sourceLayout->addWidget(m_sourceList);
    sourceLayout->addLayout(sourceButtons);
    sourceLayout->addLayout(sourceForm, 1);

    auto *tables = new QGroupBox(tr("Tables to sync, and from which source"), this);
    auto *tableLayout = new QGridLayout(tables);
    int row = 0;
    for (const QString &table : ConnectionSettings::availableShapes()) {
        auto *box = new QCheckBox(table, tables);
        auto *source = new QComboBox(tables);
        tableLayout->addWidget(box, row, 0);
        tableLayout->addWidget(source, row, 1);
        ++row;
        m_tableBoxes.insert(table, box);
        m_tableSources.insert(table, source);
        connect(box, &QCheckBox::toggled, this, &ConnectionDialog::tablesEdited);
        connect(source, &QComboBox::currentIndexChanged, this, &ConnectionDialog::tablesEdited);
    }

    auto *testRow = new QHBoxLayout;
    testRow->addWidget(m_test);
    testRow->addWidget(m_testResult, 1);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(sources);
    layout->addWidget(m_remember);
    layout->addWidget(tables);
    layout->addLayout(testRow);
    layout->addWidget(m_problem);
    layout->addWidget(m_buttons);

    connect(m_profiles, &QComboBox::activated, this, [this](int index) {
        const QString name = m_profiles->itemData(index).toString();
        for (const ConnectionProfile &profile : std::as_const(m_saved)) {
            if (profile.name == name) {
                showProfile(profile);
                return;
            }
        }
        showProfile({});
    });
    connect(m_deleteProfile, &QPushButton::clicked, this, &ConnectionDialog::deleteProfile);
    connect(m_name, &QLineEdit::textEdited, this, [this](const QString &text) {
        m_profile.name = text.trimmed();
        updateForm();
    });
    connect(m_sourceList, &QListWidget::currentRowChanged, this, &ConnectionDialog::showSource);
    for (QLineEdit *edit : {m_sourceName, m_url, m_secret, m_tokenCommand, m_caFile})
        connect(edit, &QLineEdit::textEdited, this, &ConnectionDialog::sourceEdited);
    connect(m_browseCaFile, &QPushButton::clicked, this, [this] {
        const QString file = QFileDialog::getOpenFileName(
            this, tr("CA certificates to trust"), m_caFile->text(),
            tr("PEM certificates (*.pem *.crt *.cer);;All files (*)"));
        if (file.isEmpty())
            return;
        m_caFile->setText(file);
        sourceEdited();
    });
    for (QComboBox *box : {m_style, m_auth})
        connect(box, &QComboBox::currentIndexChanged, this, &ConnectionDialog::sourceEdited);
    connect(m_addSource, &QPushButton::clicked, this, &ConnectionDialog::addSource);
    connect(m_removeSource, &QPushButton::clicked, this, &ConnectionDialog::removeSource);
    connect(m_test, &QPushButton::clicked, this, &ConnectionDialog::test);
    connect(m_probe, &ShapeProbe::finished, this,
            [this](const QString &label, bool ok, const QString &text) {
                m_testLines.append(QStringLiteral("%1 %2: %3")
                                       .arg(ok ? QStringLiteral("✔") : QStringLiteral("✘"),
                                            label.toHtmlEscaped(), text.toHtmlEscaped()));
                m_testResult->setText(m_testLines.join(QLatin1String("<br>")));
            });
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    if (initial.demo || initial.name.isEmpty()) {
        showProfile(m_saved.isEmpty() ? ConnectionProfile() : m_saved.constFirst());
    } else {
        showProfile(initial);
    }
    const int index = m_profiles->findData(m_profile.name.isEmpty() ? kNewProfile : m_profile.name);
    m_profiles->setCurrentIndex(index < 0 ? m_profiles->count() - 1 : index);
    updateForm();
}

ConnectionProfile ConnectionDialog::profile() const
{
    return m_profile;
}

bool ConnectionDialog::rememberSecrets() const
{
    return m_remember->isChecked();
}

QString ConnectionDialog::problem() const
{
    if (m_profile.name.isEmpty())
        return tr("Name the profile.");
    if (m_profile.name == QLatin1String("Local demo hive"))
        return tr("\"Local demo hive\" is the demo's name: choose another.");
    if (m_profile.sources.isEmpty())
        return tr("Add a source to sync from.");
    return m_profile.problem();
}

void ConnectionDialog::showProfile(const ConnectionProfile &profile)
{
    m_profile = profile;
    m_profile.demo = false;
    if (m_profile.sources.isEmpty()) {
        ProfileSource source;
        source.name = tr("Electric");
        m_profile.sources.append(source);
    }
    if (profile.name.isEmpty() && profile.tableSources.isEmpty()) {
        for (const QString &table : ConnectionSettings::availableShapes())
            m_profile.tableSources.insert(table, m_profile.sources.constFirst().name);
    }
    m_loading = true;
    m_name->setText(m_profile.name);
    m_sourceList->clear();
    for (const ProfileSource &source : std::as_const(m_profile.sources))
        m_sourceList->addItem(source.name);
    refreshSourceChoices();
    for (auto it = m_tableBoxes.cbegin(); it != m_tableBoxes.cend(); ++it)
        it.value()->setChecked(m_profile.tableSources.contains(it.key()));
    m_loading = false;
    m_currentSource = -1;
    m_sourceList->setCurrentRow(0);
    m_testLines.clear();
    m_testResult->clear();
    updateForm();
}

void ConnectionDialog::deleteProfile()
{
    const QString name = m_profiles->currentData().toString();
    const auto it = std::find_if(m_saved.cbegin(), m_saved.cend(),
                                 [&](const ConnectionProfile &p) { return p.name == name; });
    if (it == m_saved.cend())
        return;
    m_saved.erase(it);
    m_deleted.append(name);
    m_profiles->removeItem(m_profiles->currentIndex());
    showProfile(m_saved.isEmpty() ? ConnectionProfile() : m_saved.constFirst());
    const int index = m_profiles->findData(m_profile.name.isEmpty() ? kNewProfile : m_profile.name);
    m_profiles->setCurrentIndex(index < 0 ? m_profiles->count() - 1 : index);
    updateForm();
}

void ConnectionDialog::showSource(int row)
{
    m_currentSource = row;
    const bool valid = row >= 0 && row < m_profile.sources.size();
    const ProfileSource source = valid ? m_profile.sources.at(row) : ProfileSource();
    m_loading = true;
    m_sourceName->setText(source.name);
    m_url->setText(source.url.toString());
    m_style->setCurrentIndex(source.style == ProfileSource::Style::Proxy ? 1 : 0);
    m_auth->setCurrentIndex(int(source.auth));
    m_secret->setText(source.secret);
    m_tokenCommand->setText(source.tokenCommand);
    m_caFile->setText(source.caFile);
    m_loading = false;
    updateForm();
}

void ConnectionDialog::sourceEdited()
{
    if (m_loading || m_currentSource < 0 || m_currentSource >= m_profile.sources.size())
        return;
    ProfileSource &source = m_profile.sources[m_currentSource];
    const QString oldName = source.name;
    source.name = m_sourceName->text().trimmed();
    const QString url = m_url->text().trimmed();
    source.url = url.isEmpty() ? QUrl() : QUrl::fromUserInput(url);
    source.style = m_style->currentIndex() == 1 ? ProfileSource::Style::Proxy
                                                : ProfileSource::Style::Electric;
    source.auth = ProfileSource::Auth(m_auth->currentIndex());
    source.secret = source.needsSecret() ? m_secret->text() : QString();
    source.tokenCommand = m_tokenCommand->text().trimmed();
    source.caFile = m_caFile->text().trimmed();
    if (oldName != source.name) {
        for (auto it = m_profile.tableSources.begin(); it != m_profile.tableSources.end(); ++it) {
            if (it.value() == oldName)
                it.value() = source.name;
        }
        m_sourceList->item(m_currentSource)->setText(source.name);
        refreshSourceChoices();
    }
    updateForm();
}

void ConnectionDialog::addSource()
{
    ProfileSource source;
    source.name = tr("source %1").arg(m_profile.sources.size() + 1);
    m_profile.sources.append(source);
    m_sourceList->addItem(source.name);
    refreshSourceChoices();
    m_sourceList->setCurrentRow(int(m_profile.sources.size()) - 1);
}

void ConnectionDialog::removeSource()
{
    const int row = m_sourceList->currentRow();
    if (row < 0 || m_profile.sources.size() <= 1)
        return;
    const QString name = m_profile.sources.takeAt(row).name;
    m_profile.tableSources.removeIf(
        [&](const QMap<QString, QString>::iterator &it) { return it.value() == name; });
    m_currentSource = -1;
    delete m_sourceList->takeItem(row);
    refreshSourceChoices();
    m_loading = true;
    for (auto it = m_tableBoxes.cbegin(); it != m_tableBoxes.cend(); ++it)
        it.value()->setChecked(m_profile.tableSources.contains(it.key()));
    m_loading = false;
    showSource(m_sourceList->currentRow());
}

void ConnectionDialog::refreshSourceChoices()
{
    const bool wasLoading = std::exchange(m_loading, true);
    for (auto it = m_tableSources.cbegin(); it != m_tableSources.cend(); ++it) {
        QComboBox *box = it.value();
        box->clear();
        for (const ProfileSource &source : std::as_const(m_profile.sources))
            box->addItem(source.name);
        const int index = box->findText(m_profile.tableSources.value(it.key()));
        box->setCurrentIndex(index < 0 ? 0 : index);
    }
    m_loading = wasLoading;
}

void ConnectionDialog::tablesEdited()
{
    if (m_loading)
        return;
    m_profile.tableSources.clear();
    for (auto it = m_tableBoxes.cbegin(); it != m_tableBoxes.cend(); ++it) {
        if (it.value()->isChecked())
            m_profile.tableSources.insert(it.key(), m_tableSources.value(it.key())->currentText());
    }
    updateForm();
}

void ConnectionDialog::test()
{
    m_testLines.clear();
    m_testResult->setText(tr("Testing…"));
    for (const ProfileSource &source : std::as_const(m_profile.sources)) {
        // A source is asked about the first table it serves (any table when none is mapped).
        QString table = ConnectionSettings::availableShapes().constFirst();
        for (const QString &t : m_profile.tables()) {
            if (m_profile.tableSources.value(t) == source.name) {
                table = t;
                break;
            }
        }
        ShapeDefinition definition;
        definition.name = table;
        definition.table = table;
        m_probe->probe(source.name, definition, source.endpointFor(table));
    }
}

void ConnectionDialog::updateForm()
{
    const auto auth = ProfileSource::Auth(m_auth->currentIndex());
    m_secretLabel->setText(auth == ProfileSource::Auth::Token ? tr("Bearer &token:")
                                                              : tr("API &secret:"));
    m_secret->setEnabled(auth == ProfileSource::Auth::Secret || auth == ProfileSource::Auth::Token);
    m_secret->setPlaceholderText(tr("empty: the one in the keychain or environment"));
    m_tokenCommand->setEnabled(auth == ProfileSource::Auth::TokenCommand);
    m_url->setPlaceholderText(m_style->currentIndex() == 1
                                  ? QStringLiteral("https://hive.example/v1/shape")
                                  : QStringLiteral("http://127.0.0.1:3000/v1/shape"));
    m_removeSource->setEnabled(m_profile.sources.size() > 1);
    for (auto it = m_tableSources.cbegin(); it != m_tableSources.cend(); ++it)
        it.value()->setEnabled(m_tableBoxes.value(it.key())->isChecked());
    const QString problem = this->problem();
    m_problem->setText(problem);
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(problem.isEmpty());
    m_test->setEnabled(!m_profile.sources.isEmpty());
    m_deleteProfile->setEnabled(m_profiles->currentData().toString() != kNewProfile);
}

} // namespace hivewatch
