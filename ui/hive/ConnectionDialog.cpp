#include "ConnectionDialog.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QVBoxLayout>

ConnectionDialog::ConnectionDialog(const ConnectionSettings &initial, QWidget *parent)
    : QDialog(parent)
    , m_electric(new QRadioButton(tr("&Electric directly"), this))
    , m_proxy(new QRadioButton(tr("The hive's &proxy"), this))
    , m_url(new QLineEdit(this))
    , m_secretLabel(new QLabel(this))
    , m_secret(new QLineEdit(this))
    , m_remember(new QCheckBox(tr("&Remember in the system keychain"), this))
    , m_problem(new QLabel(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
{
    setWindowTitle(tr("Connect to a hive"));
    m_electric->setChecked(initial.mode == ConnectionSettings::Mode::Electric);
    m_proxy->setChecked(initial.mode == ConnectionSettings::Mode::Proxy);
    m_url->setText(initial.url.toString());
    m_url->setClearButtonEnabled(true);
    m_secret->setEchoMode(QLineEdit::Password);
    m_secret->setText(initial.secret);
    m_remember->setChecked(true);
    m_problem->setStyleSheet(QStringLiteral("color: #b00020"));
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("&Connect"));

    auto *form = new QFormLayout;
    auto *modes = new QVBoxLayout;
    modes->addWidget(m_electric);
    modes->addWidget(m_proxy);
    form->addRow(tr("Sync from:"), modes);
    form->addRow(tr("&URL:"), m_url);
    m_secretLabel->setBuddy(m_secret);
    form->addRow(m_secretLabel, m_secret);
    form->addRow(QString(), m_remember);

    auto *shapes = new QGroupBox(tr("Shapes to sync"), this);
    auto *shapeLayout = new QVBoxLayout(shapes);
    for (const QString &shape : ConnectionSettings::availableShapes()) {
        auto *box = new QCheckBox(shape, shapes);
        box->setChecked(initial.shapes.contains(shape));
        shapeLayout->addWidget(box);
        m_shapes.insert(shape, box);
        connect(box, &QCheckBox::toggled, this, &ConnectionDialog::updateForm);
    }

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(shapes);
    layout->addWidget(m_problem);
    layout->addWidget(m_buttons);

    connect(m_electric, &QRadioButton::toggled, this, &ConnectionDialog::updateForm);
    connect(m_url, &QLineEdit::textChanged, this, &ConnectionDialog::updateForm);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    updateForm();
}

ConnectionSettings ConnectionDialog::settings() const
{
    ConnectionSettings s;
    s.mode = m_proxy->isChecked() ? ConnectionSettings::Mode::Proxy
                                  : ConnectionSettings::Mode::Electric;
    s.url = QUrl::fromUserInput(m_url->text().trimmed());
    s.secret = m_secret->text();
    for (auto it = m_shapes.cbegin(); it != m_shapes.cend(); ++it) {
        if (it.value()->isChecked())
            s.shapes.append(it.key());
    }
    return s;
}

bool ConnectionDialog::rememberSecret() const
{
    return m_remember->isChecked();
}

QString ConnectionDialog::problem() const
{
    const QString text = m_url->text().trimmed();
    if (text.isEmpty())
        return tr("Enter the URL to sync from.");
    const QUrl url = QUrl::fromUserInput(text);
    if (!url.isValid()
        || (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https")))
        return tr("\"%1\" is not an http or https URL.").arg(text);
    const bool shapeChosen = std::any_of(m_shapes.cbegin(), m_shapes.cend(),
                                         [](const QCheckBox *box) { return box->isChecked(); });
    if (!shapeChosen)
        return tr("Choose at least one shape to sync.");
    return {};
}

void ConnectionDialog::updateForm()
{
    const bool proxy = m_proxy->isChecked();
    m_secretLabel->setText(proxy ? tr("Bearer &token:") : tr("API &secret:"));
    m_url->setPlaceholderText(proxy ? QStringLiteral("https://hive.example/v1/shape")
                                    : QStringLiteral("http://127.0.0.1:3000/v1/shape"));
    m_secret->setPlaceholderText(proxy ? tr("required by the hive") : tr("optional"));
    const QString problem = this->problem();
    m_problem->setText(problem);
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(problem.isEmpty());
}
